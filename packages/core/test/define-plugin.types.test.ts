/** definePlugin infers `open`'s options from the zod schema: a wrong use is a compile error. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { definePlugin, z } from '../src/index.js';

describe('definePlugin', () => {
  it('types open(options) from the options schema', () => {
    const plugin = definePlugin({
      kind: 'reader',
      name: 'typed',
      options: z.strictObject({ path: z.string(), rows: z.number().default(3) }),
      async open(options) {
        expectTypeOf(options).toEqualTypeOf<{ path: string; rows: number }>();
        // @ts-expect-error: not an option of this plugin
        void options.missing;
        return { datasets: [], close: async () => {} };
      },
    });
    expect(plugin.kind).toBe('reader');
    const writer = definePlugin({
      kind: 'writer',
      name: 'typed',
      options: z.object({ dir: z.string() }),
      async open(options) {
        expectTypeOf(options.dir).toBeString();
        return { begin: async () => ({ skipped: 'never' }), finish: async () => {}, close: async () => {} };
      },
    });
    expect(writer.kind).toBe('writer');
  });
});
