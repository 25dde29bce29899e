// CPU time and memory of process trees, read from /proc: the contender's whole tree while it runs,
// and the server's whole process group (plus anything it started) before and after.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const TICK = 100; // USER_HZ: /proc times are in clock ticks (100 on every Linux we run on)
const PAGE = 4096;

/** Parsed /proc/<pid>/stat, or undefined once the process is gone. */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): field n is f[n - 3].
    return {
      pid,
      ppid: Number(f[1]),
      pgid: Number(f[2]),
      cpu: (Number(f[11]) + Number(f[12])) / TICK, // utime + stime
      childCpu: (Number(f[13]) + Number(f[14])) / TICK, // cutime + cstime: children it waited for
      threads: Number(f[17]),
      rssBytes: Number(f[21]) * PAGE,
    };
  } catch {
    return undefined;
  }
}

function allStats() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** Every live process in `pgid`'s group or descending from `root`. */
export function treeOf(root, pgid = root) {
  const all = allStats();
  const byParent = new Map();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const seen = new Map(all.filter((s) => s.pgid === pgid || s.pid === root).map((s) => [s.pid, s]));
  const queue = [...seen.values()];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.pop().pid) ?? []) {
      if (!seen.has(child.pid)) {
        seen.set(child.pid, child);
        queue.push(child);
      }
    }
  }
  return [...seen.values()];
}

/** CPU-seconds used so far by a server's group: its live processes and the children they reaped. */
export function groupCpu(pgid) {
  const tree = treeOf(pgid, pgid);
  return {
    cpu: tree.reduce((n, s) => n + s.cpu + s.childCpu, 0),
    threads: tree.reduce((n, s) => n + s.threads, 0),
    rssBytes: tree.reduce((n, s) => n + s.rssBytes, 0),
    processes: tree.length,
  };
}

/** CPU-seconds of a fixed set of processes: cheap enough to call around every request. */
export function cpuOfPids(pids) {
  let cpu = 0;
  for (const pid of pids) {
    const s = stat(pid);
    if (s) cpu += s.cpu + s.childCpu;
  }
  return cpu;
}

/** Finds the process whose command line holds `marker` (e.g. a server's unique data directory). */
export function findProcess(marker) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.includes(marker))) return stat(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function vmHwmBytes(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs a command and measures its whole process tree. It runs under `sh`, which prints its own
 * /proc/<pid>/stat after the command ends: cutime + cstime there are the CPU-seconds of the
 * command and of every descendant it waited for, exactly. Peak RSS is sampled every 100 ms
 * (the larger of the tree's summed RSS and any one process's high-water mark).
 * `onSample` is called with the elapsed seconds at each sample (servers are sampled there too);
 * `secret` (the server's token) is masked in error messages.
 */
export function runMeasured(command, args, { env, cwd, onSample, secret } = {}) {
  return new Promise((ok, fail) => {
    const script = '"$@"; rc=$?; cat /proc/$$/stat >&2; exit $rc';
    const started = performance.now();
    const child = spawn('sh', ['-c', script, 'sh', command, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const sample = () => {
      const tree = treeOf(child.pid, -1).filter((s) => s.pid !== child.pid);
      const sum = tree.reduce((n, s) => n + s.rssBytes, 0);
      const hwm = Math.max(0, ...tree.map((s) => vmHwmBytes(s.pid)));
      peak = Math.max(peak, sum, hwm);
      onSample?.((performance.now() - started) / 1000);
    };
    const timer = setInterval(sample, 100);
    child.once('error', (e) => {
      clearInterval(timer);
      fail(e);
    });
    child.once('close', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      const lines = stderr.trimEnd().split('\n');
      const shStat = lines.pop() ?? '';
      const f = shStat.slice(shStat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(f[13]) + Number(f[14])) / TICK;
      stderr = lines.join('\n');
      // The server's token is on the command line; it stays out of the message.
      const shown = [command, ...args].join(' ').replaceAll(secret || '\0', '***');
      if (code !== 0) return fail(new Error(`${shown} exited ${code}:\n${stderr.slice(-3000)}`));
      ok({ seconds, cpuSeconds: cpu, peakMiB: peak / 2 ** 20, stdout, stderr });
    });
  });
}
