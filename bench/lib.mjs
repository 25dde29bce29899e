// Shared helpers of the benchmarks: data files, a Milvus Lite server, timed child runs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = join(root, 'bench', '.cache');
export const python = join(root, '.venv', 'bin', 'python');
export const cli = join(root, 'apps', 'cli', 'bin', 'milvusdm.js');

export function args(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2)
    out[argv[i].replace(/^--/, '')] = Number.isNaN(Number(argv[i + 1])) ? argv[i + 1] : Number(argv[i + 1]);
  return out;
}

export function requireSetup() {
  for (const f of [python, join(root, 'packages', 'testing', 'dist', 'index.js'), join(root, 'apps', 'cli', 'dist', 'bin.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run bash scripts/bootstrap.sh first`);
  }
}

/**
 * An HDF5 file of `rows` × `dim` float32 vectors and int64 ids, written by h5py once and cached.
 * `ids`: 'scattered' (a permutation, the default: the harder case for the repeated-key check) or
 * 'ascending' (0, 1000003, … — how most files number their rows; vectors then count too).
 */
export function h5Input(rows, dim, ids = 'scattered') {
  if (!['scattered', 'ascending'].includes(ids)) throw new Error(`ids: ${ids} is not scattered or ascending`);
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `vectors-${rows}x${dim}${ids === 'ascending' ? '-ascending' : ''}.h5`);
  if (!existsSync(file)) {
    // Written under another name and renamed: a failed write leaves no file that looks cached.
    const partial = `${file}.partial`;
    const r = spawnSync(
      python,
      [
        join(root, 'packages', 'testing', 'python', 'write_h5.py'),
        '--out',
        partial,
        '--rows',
        String(rows),
        '--dim',
        String(dim),
        '--dtype',
        'float32',
        '--chunks',
        String(Math.min(8192, rows)),
        ...(ids === 'ascending' ? ['--pattern', 'counting'] : []),
      ],
      { stdio: 'inherit' },
    );
    if (r.status !== 0) throw new Error('writing the input file failed');
    renameSync(partial, file);
  }
  return file;
}

/** Runs a command under GNU time; resolves with wall seconds, peak RSS (MiB), CPU seconds and output. */
export function timed(command, commandArgs, options = {}) {
  return new Promise((ok, fail) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', command, ...commandArgs], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', fail);
    child.once('close', (code) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      const [seconds, kb, user, sys] = last.split(' ').map(Number);
      if (code !== 0) return fail(new Error(`${command} ${commandArgs.join(' ')} exited ${code}:\n${stderr.slice(-3000)}`));
      ok({ seconds, peakMiB: kb / 1024, cpuSeconds: user + sys, stdout, stderr });
    });
  });
}

export function fmt(n, digits = 0) {
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
