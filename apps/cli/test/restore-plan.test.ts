/**
 * What `milvusdm restore` restores where, from the manifest and the flags, for archives of one
 * database (format 1) and of several (format 2): names checked, databases chosen and mapped,
 * `database.collection` names, and the refusals of flags that do not fit the archive.
 */
import { describe, expect, it } from 'vitest';
import type { ArchiveCollection } from '../src/archive/manifest.js';
import { restorePlan } from '../src/commands/restore.js';

function collection(name: string, database?: string, partitions = ['_default']): ArchiveCollection {
  return {
    name,
    rows: 1,
    schema: {},
    partitions: partitions.map((p) => ({ name: p, rows: 1, files: [] })),
    ...(database !== undefined ? { database } : {}),
  };
}

const several = [collection('docs', 'a', ['_default', 'p1']), collection('notes', 'a'), collection('docs', 'b')];
const plan = (args: Parameters<typeof restorePlan>[1], dbs: string[] | null = ['a', 'b'], all = several) =>
  restorePlan(all, args, dbs ?? undefined).map((i) => [
    `${i.collection.database ?? ''}.${i.collection.name}`,
    `${i.targetDatabase ?? ''}.${i.target}`,
    i.partitions.map((p) => p.name).join(','),
  ]);

describe('restore plan', () => {
  it('an archive of one database: as before, no target database', () => {
    expect(plan({ rename: ['docs=d2'] }, null, [collection('docs'), collection('notes')])).toEqual([
      ['.docs', '.d2', '_default'],
      ['.notes', '.notes', '_default'],
    ]);
  });

  it('an archive of several: every database into its own name, or the mapped one; database.collection names', () => {
    expect(plan({})).toEqual([
      ['a.docs', 'a.docs', '_default,p1'],
      ['a.notes', 'a.notes', '_default'],
      ['b.docs', 'b.docs', '_default'],
    ]);
    expect(plan({ databases: ['b'], renameDatabases: ['b=b2'] })).toEqual([['b.docs', 'b2.docs', '_default']]);
    expect(plan({ partitions: ['a.docs:p1'], rename: ['a.docs=docs_p1'], renameDatabases: ['a=x'] })).toEqual([
      ['a.docs', 'x.docs_p1', 'p1'],
    ]);
  });

  it('refuses flags that do not fit the archive, naming what it holds', () => {
    expect(() => plan({ database: 'a' })).toThrow(/--database: this archive holds several databases \(a, b\); choose with --databases/);
    expect(() => plan({ databases: ['c'] })).toThrow(/--databases: "c" is not in the archive \(it holds a, b\)/);
    expect(() => plan({ renameDatabases: ['c=d'] })).toThrow(/--rename-databases: "c" is not in the archive/);
    expect(() => plan({ renameDatabases: ['a'] })).toThrow(/--rename-databases: "a" is not OLD=NEW/);
    expect(() => plan({ collections: ['docs'] })).toThrow(
      /--collections: "docs" is not in the archive \(it holds a\.docs, a\.notes, b\.docs\)/,
    );
    // A database left out by --databases is not in the choice.
    expect(() => plan({ databases: ['b'], collections: ['a.docs'] })).toThrow(
      /--collections: "a\.docs" is not in the archive \(it holds b\.docs\)/,
    );
    const one = [collection('docs')];
    expect(() => plan({ databases: ['a'] }, null, one)).toThrow(
      /--databases: this archive holds one database; restore it with --database NAME/,
    );
    expect(() => plan({ renameDatabases: ['a=b'] }, null, one)).toThrow(/--rename-databases: this archive holds one database/);
  });
});
