/** Expanding the `path` option into a sorted list of files. */
import { stat, readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { isDynamicPattern, glob } from 'tinyglobby';
import { MilvusdmError } from '@milvusdm/core';

const HDF5_EXT = /\.(h5|hdf5|he5)$/i;

export async function expandPaths(entries: readonly string[], baseDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    const path = isAbsolute(entry) ? entry : resolve(baseDir, entry);
    if (isDynamicPattern(entry)) {
      const matches = (await glob(path, { absolute: true, onlyFiles: true, expandDirectories: false })).sort();
      if (matches.length === 0) throw new MilvusdmError('MDM_SOURCE', `source.path: no file matches ${entry}`);
      files.push(...matches);
      continue;
    }
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new MilvusdmError('MDM_SOURCE', `source.path: ${path} does not exist`);
    }
    if (info.isDirectory()) {
      const inside = (await readdir(path)).filter((n) => HDF5_EXT.test(n)).sort();
      if (inside.length === 0) throw new MilvusdmError('MDM_SOURCE', `source.path: folder ${path} holds no .h5 or .hdf5 file`);
      files.push(...inside.map((n) => join(path, n)));
    } else files.push(path);
  }
  return [...new Set(files)];
}
