/**
 * Every option of every first-party channel carries a description in the job schema, so editors
 * (through the `# yaml-language-server: $schema=` line `init` writes) explain each key. The
 * channels are found from the packages' manifests, so a new first-party channel is checked too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@milvusdm/testing';
import { buildJobJsonSchema, type ChannelPlugin } from '@milvusdm/core';

type JsonSchema = {
  description?: string;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
};

interface Manifest {
  name: string;
  milvusdm?: { channels?: { kind: string; name: string }[] };
}

function firstPartyPackages(): Manifest[] {
  const found: Manifest[] = [];
  for (const group of ['readers', 'writers']) {
    for (const dir of readdirSync(join(repoRoot, 'packages', group))) {
      const manifest = JSON.parse(readFileSync(join(repoRoot, 'packages', group, dir, 'package.json'), 'utf8')) as Manifest;
      if (manifest.milvusdm?.channels?.length) found.push(manifest);
    }
  }
  return found;
}

/** `<kind> <channel>: <path>` for every object property, at any depth, that has no description. */
function undescribed(node: JsonSchema, where: string, out: string[]): string[] {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (key === 'type' && !where.includes('.')) continue; // the channel's `type` discriminator
    if (!child.description) out.push(`${where}.${key}`);
    undescribed(child, `${where}.${key}`, out);
  }
  for (const branch of node.anyOf ?? []) undescribed(branch, where, out);
  if (node.items) undescribed(node.items, `${where}[]`, out);
  if (typeof node.additionalProperties === 'object') undescribed(node.additionalProperties, `${where}.*`, out);
  return out;
}

function branches(schema: Record<string, unknown>): { label: string; branch: JsonSchema }[] {
  const props = schema['properties'] as Record<'source' | 'target', { anyOf: JsonSchema[] }>;
  return (['source', 'target'] as const).flatMap((side) =>
    props[side].anyOf
      .filter((b) => (b.properties?.['type'] as { const?: string } | undefined)?.const)
      .map((b) => ({ label: `${side} ${(b.properties!['type'] as { const: string }).const}`, branch: b })),
  );
}

describe('job schema descriptions', () => {
  it('describes every option of every first-party channel', async () => {
    const packages = firstPartyPackages();
    const plugins: ChannelPlugin[] = [];
    for (const pkg of packages) plugins.push(((await import(pkg.name)) as { default: ChannelPlugin }).default);
    const expected = packages.flatMap((p) => p.milvusdm!.channels!.map((c) => `${c.kind === 'reader' ? 'source' : 'target'} ${c.name}`));
    const found = branches(buildJobJsonSchema(plugins));
    // The check must not pass by finding no channel, nor by missing one.
    expect(found.map((f) => f.label).sort()).toEqual(expected.sort());
    for (const { label, branch } of found) {
      expect(Object.keys(branch.properties ?? {}).length, label).toBeGreaterThan(1);
      expect(undescribed(branch, label, []), label).toEqual([]);
    }
  });

  it('describes every option in the published schema/job.schema.json', () => {
    const published = JSON.parse(readFileSync(join(repoRoot, 'schema', 'job.schema.json'), 'utf8')) as Record<string, unknown>;
    const found = branches(published);
    expect(found.length).toBeGreaterThanOrEqual(6);
    for (const { label, branch } of found) expect(undescribed(branch, label, []), label).toEqual([]);
  });
});
