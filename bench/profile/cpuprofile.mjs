// Summaries of V8 CPU profiles (node --cpu-prof): self time per module and per function.

/** Self time per module and per function, from a V8 .cpuprofile. */
export function summariseProfile(p) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0) / 1e6);
  const module = (url, name) => {
    if (!url) return name.startsWith('(') ? name : '(native / builtin)';
    if (url.startsWith('node:')) return 'node internals';
    if (url.startsWith('wasm://')) return 'h5wasm (wasm)';
    const m =
      /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url) ??
      /\/(packages\/[^/]+(?:\/[^/]+)?|apps\/[^/]+)\/dist\//.exec(url);
    return m ? m[1] : url.replace(/^file:\/\//, '');
  };
  const byModule = new Map();
  const byFunction = new Map();
  for (const [id, s] of self) {
    const n = byId.get(id);
    const { url, functionName, lineNumber } = n.callFrame;
    const mod = module(url, functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + s);
    const key = `${functionName || '(anonymous)'} ${mod}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + s);
  }
  const sorted = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  return { byModule: sorted(byModule, 14), top: sorted(byFunction, 15) };
}
