/**
 * The Python fork server must be indistinguishable from `python script args` for the tools the
 * suite runs: same exit code, output, argv, working directory, environment and import path, and
 * nothing carried from one tool to the next. Each case runs a script both ways and compares.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProcess, runPythonRaw, tempDir, venvPython } from '@milvusdm/testing';

function script(dir: string, name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

describe('Python tools run by the fork server', () => {
  const dir = tempDir('milvusdm-pyfork-test-');
  script(dir, 'sibling.py', 'VALUE = "from the sibling module"\n');
  const probe = script(
    dir,
    'probe.py',
    [
      'import json, os, sys',
      'import sibling',
      'print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "env": os.environ.get("PYFORK_PROBE"), "sibling": sibling.VALUE, "name": __name__}))',
      'print("to stderr", file=sys.stderr)',
      'sys.exit(int(sys.argv[1]))',
    ].join('\n'),
  );

  it('gives a tool the argv, directory, environment, import path, output and exit code that python gives it', async () => {
    process.env['PYFORK_PROBE'] = 'set by the test';
    try {
      for (const code of ['0', '3']) {
        const args = [code, 'two words', '--flag=ü'];
        const direct = await runProcess(venvPython, [probe, ...args], { timeoutMs: 60_000 });
        const forked = await runPythonRaw(probe, args);
        expect(forked).toEqual(direct);
        expect(forked.code).toBe(Number(code));
        expect(JSON.parse(forked.stdout)).toMatchObject({
          argv: args,
          env: 'set by the test',
          sibling: 'from the sibling module',
          name: '__main__',
        });
      }
    } finally {
      delete process.env['PYFORK_PROBE'];
    }
  });

  it('reports an uncaught exception with exit code 1 and its traceback, as python does', async () => {
    const failing = script(dir, 'failing.py', 'raise ValueError("the message")\n');
    const direct = await runProcess(venvPython, [failing], { timeoutMs: 60_000 });
    const forked = await runPythonRaw(failing, []);
    expect(forked.code).toBe(direct.code);
    expect(forked.code).toBe(1);
    expect(forked.stderr).toMatch(/ValueError: the message/);
  });

  it('carries nothing from one tool to the next (modules, environment, working directory)', async () => {
    const mutate = script(dir, 'mutate.py', 'import os, sys, json\nos.environ["PYFORK_LEAK"] = "1"\njson.LEAK = 1\nos.chdir("/")\n');
    const look = script(
      dir,
      'look.py',
      'import os, json\nprint(json.dumps([os.environ.get("PYFORK_LEAK"), hasattr(json, "LEAK"), os.getcwd()]))\n',
    );
    expect((await runPythonRaw(mutate, [])).code).toBe(0);
    expect(JSON.parse((await runPythonRaw(look, [])).stdout)).toEqual([null, false, process.cwd()]);
  });

  it('runs tools side by side, each with its own output', async () => {
    const echo = script(dir, 'echo.py', 'import sys, time\ntime.sleep(0.2)\nprint(sys.argv[1] * 100000)\n');
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((letter) => runPythonRaw(echo, [letter])));
    expect(results.map((r) => [r.code, r.stdout])).toEqual(['a', 'b', 'c', 'd'].map((letter) => [0, `${letter.repeat(100000)}\n`]));
  });

  it('stops a tool at its timeout, as spawn does (exit code -1), and goes on serving', async () => {
    const sleeper = script(dir, 'sleeper.py', 'import time\ntime.sleep(60)\n');
    const stopped = await runPythonRaw(sleeper, [], 500);
    expect(stopped.code).toBe(-1);
    expect((await runPythonRaw(probe, ['0'])).code).toBe(0);
  });
});
