/** Option validation suggests near keys; plugins whose options cannot describe themselves still get a schema. */
import { describe, expect, it } from 'vitest';
import { buildJobJsonSchema, parseOptions, z, type ChannelPlugin } from '../src/index.js';

describe('option keys', () => {
  const schema = z.strictObject({
    path: z.string(),
    collection: z.string().optional(),
    nested: z.strictObject({ batch: z.number() }).optional(),
  });

  it('suggests the key meant by a typo, top level and nested', () => {
    expect(() => parseOptions(schema, { path: 'a', colection: 'x' }, 'source', 'job.yaml')).toThrow(
      'job.yaml: source: unknown key "colection" (did you mean "collection"?)',
    );
    expect(() => parseOptions(schema, { path: 'a', nested: { bach: 1 } }, 'source')).toThrow(
      /source\.nested: unknown key "bach" \(did you mean "batch"\?\)/,
    );
  });

  it('suggests nothing for a key far from every known one', () => {
    expect(() => parseOptions(schema, { path: 'a', zzzzzz: 1 }, 'source')).toThrow(/^source: unknown key "zzzzzz"$/);
  });
});

describe('job JSON schema', () => {
  const undescribed: ChannelPlugin = {
    kind: 'reader',
    name: 'plain',
    // Only safeParse: a plugin may validate its options with anything.
    options: { safeParse: (v: unknown) => ({ success: true, data: v }) } as unknown as z.ZodType,
    open: () => Promise.reject(new Error('not opened')),
  };
  const described: ChannelPlugin = {
    kind: 'writer',
    name: 'w',
    options: z.strictObject({ dir: z.string().describe('Output folder') }),
    open: undescribed.open as never,
  };

  it('has an $id, and a branch for a plugin whose options cannot describe themselves', () => {
    const json = buildJobJsonSchema([undescribed, described]);
    expect(json['$id']).toMatch(/^https:\/\/.*job\.schema\.json$/);
    const source = (json['properties'] as Record<string, { anyOf: Record<string, unknown>[] }>)['source']!;
    expect(source.anyOf[0]).toMatchObject({ type: 'object', properties: { type: { const: 'plain' } }, required: ['type'] });
    const target = (json['properties'] as Record<string, { anyOf: Record<string, unknown>[] }>)['target']!;
    expect(target.anyOf[0]).toMatchObject({
      properties: { type: { const: 'w' }, dir: { type: 'string', description: 'Output folder' } },
      required: ['type', 'dir'],
    });
  });
});
