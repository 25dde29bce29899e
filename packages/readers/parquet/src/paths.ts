/** Expanding the `path` option into a sorted list of Parquet files. */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { MilvusdmError } from '@milvusdm/core';

const PARQUET_EXT = /\.parquet$/i;
/** Folders and files an unfinished milvusdm run is still writing. */
const UNFINISHED = /\.partial$/;

/** Every .parquet file under a folder, sub-folders included, in path order. */
async function parquetFilesUnder(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (UNFINISHED.test(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await parquetFilesUnder(path)));
    else if (PARQUET_EXT.test(entry.name)) out.push(path);
  }
  return out;
}

export async function expandPaths(entries: readonly string[], baseDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of entries) {
    const path = isAbsolute(entry) ? entry : resolve(baseDir, entry);
    if (isDynamicPattern(entry)) {
      const matches = (await glob(path, { absolute: true, onlyFiles: true, expandDirectories: false }))
        .filter((m) => !m.split(sep).some((part) => UNFINISHED.test(part)))
        .sort();
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
      const inside = await parquetFilesUnder(path);
      if (inside.length === 0) throw new MilvusdmError('MDM_SOURCE', `source.path: folder ${path} holds no .parquet file`);
      files.push(...inside);
    } else files.push(path);
  }
  return [...new Set(files)];
}
