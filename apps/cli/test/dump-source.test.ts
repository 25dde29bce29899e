/** The reader block `milvusdm dump` runs with, from its flags; the flag mixes it refuses. */
import { describe, expect, it } from 'vitest';
import { tempDir } from '@milvusdm/testing';
import { dumpSource } from '../src/commands/dump.js';

describe('dump source', () => {
  it('a server: the named collections or every one, or every database; writes during the read followed', () => {
    expect(dumpSource({ from: 'http://h:19530', collections: ['a'] })).toEqual({
      type: 'milvus',
      uri: 'http://h:19530',
      collections: ['a'],
      changes: 'allow',
    });
    expect(dumpSource({ from: 'http://h:19530', allDatabases: true, token: 't' })).toEqual({
      type: 'milvus',
      uri: 'http://h:19530',
      databases: '*',
      changes: 'allow',
      token: 't',
    });
  });

  it('refuses --all-databases with --collections or --database, or from a folder, in one line', () => {
    const mixed = /^--all-databases dumps every collection of every database: give it without --collections or --database$/;
    expect(() => dumpSource({ from: 'http://h:19530', allDatabases: true, collections: ['a'] })).toThrow(mixed);
    expect(() => dumpSource({ from: 'http://h:19530', allDatabases: true, database: 'd' })).toThrow(mixed);
    const folder = tempDir();
    expect(() => dumpSource({ from: folder, allDatabases: true })).toThrow(
      `--all-databases: ${folder} is a folder, read as a Milvus 1.x directory, which has no databases`,
    );
  });
});
