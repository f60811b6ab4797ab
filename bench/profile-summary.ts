import { readFileSync } from 'node:fs';

/*
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function, self time per package or
 * project folder, and inclusive time of the project's own functions.
 * Usage: node dist/bench/profile-summary.js <file.cpuprofile> [top=25]
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const where = ({ url, functionName }: CallFrame): string => {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: core';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const dist = /\/dist\/((?:apps|libs)\/[^/]+)/.exec(url);
  if (dist) return dist[1];
  return url.replace(/^file:\/\//, '');
};

const label = (frame: CallFrame): string => {
  const file = frame.url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|dist)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
};

const summarize = (profile: CpuProfile, top: number): string => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const bucket = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    total += ms;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    bucket.set(where(node.callFrame), (bucket.get(where(node.callFrame)) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame || !/\/dist\/(apps|libs)\//.test(frame.url)) continue;
      const k = label(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
  }
  const idle = self.get('(idle)') ?? 0;
  const busy = total - idle;
  const table = (title: string, entries: Map<string, number>, base: number) =>
    [
      title,
      ...[...entries.entries()]
        .filter(([k]) => k !== '(idle)')
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([k, ms]) => `  ${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / base).toFixed(1).padStart(5)}%  ${k}`),
    ].join('\n');
  return [
    `profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s wall, ${total.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms idle, ${busy.toFixed(0)} ms busy (percentages below are of busy time)`,
    table(`top ${top} functions by self time:`, self, busy),
    table('self time by package / project folder:', bucket, busy),
    table(`top ${top} project functions (dist/apps, dist/libs) by inclusive time:`, inclusive, busy),
  ].join('\n\n');
};

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
process.stdout.write(`${summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(topArg ?? 25))}\n`);
