import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MilvusdmError, fileWriteFailure, hdf5Failure, writeFullySync } from '../src/index.js';

// Frames as h5wasm 0.10 (HDF5 2.0.0) reported them, on one line; a real message holds a dozen.
const SRC = '/__w/libhdf5-wasm/libhdf5-wasm/build/2.0.0/_deps/hdf5-src/src';
const truncated = new Error(
  `HDF5-DIAG: Error detected in HDF5 (2.0.0): #000: ${SRC}/H5F.c line 821 in H5Fopen(): unable to synchronously open file major: File accessibility minor: Unable to open file ` +
    `#005: ${SRC}/H5Fint.c line 2117 in H5F_open(): unable to read superblock major: File accessibility minor: Read failed ` +
    `#006: ${SRC}/H5Fsuper.c line 577 in H5F__super_read(): truncated file: eof = 3000000, sblock->base_addr = 0, stored_eof = 10402048 major: File accessibility minor: File has been truncated`,
);
const diskFull = new Error(
  `HDF5-DIAG: Error detected in HDF5 (2.0.0): #000: ${SRC}/H5D.c line 477 in H5Dclose(): can't decrement count on dataset ID major: Dataset minor: Unable to decrement reference count ` +
    `#016: ${SRC}/H5FDsec2.c line 775 in H5FD__sec2_write(): file write failed: time = Tue Dec  1 17:57:54 2026 , filename = '/tmp/out/big/_default.h5.partial', file descriptor = 3, errno = 51, error message = 'No space left on device', buf = 0x4e76b0, total write size = 383400, bytes this sub-write = 383400, offset = 6291456 major: Low-level I/O minor: Write failed ` +
    `#017: ${SRC}/H5Dint.c line 1957 in H5D_close(): unable to flush cached dataset info major: Dataset minor: Write failed`,
);

describe('HDF5 error stacks', () => {
  it("are cut to what the library found: the innermost frame's words", () => {
    expect(hdf5Failure(truncated)).toEqual({ reason: 'truncated file: eof = 3000000, sblock->base_addr = 0, stored_eof = 10402048' });
  });
  it("are cut to the system's reason when a read or write of the file failed", () => {
    expect(hdf5Failure(diskFull)).toEqual({ reason: 'no space left on the device', systemCode: 'ENOSPC' });
  });
  it('leave other errors alone', () => {
    expect(hdf5Failure(new Error('dataset "x" not found'))).toBeUndefined();
  });
});

describe('a failure writing a file', () => {
  it('names the file and the reason in one line; a full disk says what to do', () => {
    const e = fileWriteFailure('/out/big/_default.h5', diskFull);
    expect(e).toBeInstanceOf(MilvusdmError);
    expect([e.code, e.message]).toEqual(['MDM_IO', 'cannot write /out/big/_default.h5: no space left on the device']);
    expect(e.hint).toMatch(/^Make room on that disk, then run the same command again/);
  });
  it('names the file of a Node error that came from a handle (which names none)', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', errno: -28 });
    expect(fileWriteFailure('/out/big/_default', enospc).message).toBe('cannot write /out/big/_default: no space left on the device');
    const eio = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', syscall: 'write', errno: -5 });
    const io = fileWriteFailure('/out/x', eio);
    expect([io.code, io.message, io.hint]).toEqual(['MDM_IO', 'cannot write /out/x: input/output error', undefined]);
  });
  it('keeps any other error as the target failing, with its shortest reason; a MilvusdmError as it is', () => {
    expect(fileWriteFailure('/out/x.h5', truncated).message).toBe(
      '/out/x.h5: truncated file: eof = 3000000, sblock->base_addr = 0, stored_eof = 10402048',
    );
    const own = new MilvusdmError('MDM_TARGET', 'already exists');
    expect(fileWriteFailure('/out/x.h5', own)).toBe(own);
  });
});

describe('writing every byte', () => {
  it('throws the system error of a device that takes none (/dev/full), instead of returning short', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      expect(() => writeFullySync(fd, new Uint8Array(4096))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    } finally {
      closeSync(fd);
    }
  });
});
