/**
 * What a resume token carries for the import path, and how to tell it from the insert path's:
 * apart from the import writer, so deciding a resumed dataset's method does not load the
 * Parquet writer and Arrow (about 150 modules) into runs that only insert.
 */

export interface ImportedFile {
  readonly name: string;
  /** Index, in the dataset's rows, of the file's first row. */
  readonly first: number;
  readonly rows: number;
  readonly job: string;
}

/** What the resume token carries for the import path (next to the insert path's fields). */
export interface ImportToken {
  /** Folder (relative to the storage) of this dataset's files: unique per run. */
  readonly folder: string;
  readonly files: ImportedFile[];
}

/** The import token of a resumed dataset, or undefined when its interrupted run inserted. */
export function importTokenOf(token: unknown): ImportToken | undefined {
  const t = (token as { import?: Partial<ImportToken> } | undefined)?.import;
  if (!t || typeof t.folder !== 'string' || !Array.isArray(t.files)) return undefined;
  return t as ImportToken;
}
