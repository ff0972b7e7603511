/**
 * Reads V8 .cpuprofile files (from `node --cpu-prof`): self time by package
 * and by function, idle excluded, optionally only inside a time window (the
 * timed phase of a load run; V8's profile clock and process.hrtime are both
 * CLOCK_MONOTONIC on Linux).
 *
 *   tsx bench/profile.ts <file.cpuprofile> [--top 15]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Breakdown {
  /** Non-idle CPU time sampled in the window, µs. */
  busyUs: number;
  windowUs: number;
  byPackage: Map<string, number>;
  byFunction: Map<string, number>;
}

/** Where a function lives: an npm package, callgate's src/<dir>, bench/, node internals or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native and V8 builtins)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const own = /\/(src\/[^/]+|bench)\//.exec(url);
  return own ? own[1]! : url.replace(/^file:\/\//, '');
}

/** Self time per package and per function; `window` in the profile's clock (µs), both ends inclusive. */
export function readProfile(path: string, window?: { fromUs: number; toUs: number }): Breakdown {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busyUs = 0;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') return;
    busyUs += delta;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + delta);
    const file = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${file}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
  });
  const windowUs = window ? window.toUs - window.fromUs : profile.endTime - profile.startTime;
  return { busyUs, windowUs, byPackage, byFunction };
}

const top = (map: Map<string, number>, n: number) => [...map.entries()].sort((x, y) => y[1] - x[1]).slice(0, n);
const cell = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown: sampled main-thread µs per request by package, side by side, then callgate's top functions. */
export function compareProfiles(floor: { breakdown: Breakdown; requests: number }, callgate: { breakdown: Breakdown; requests: number }, topFunctions = 12): string {
  const perRequest = (us: number, requests: number) => (us / requests).toFixed(1);
  const packages = top(callgate.breakdown.byPackage, 14).map(([k]) => k);
  for (const [k] of top(floor.breakdown.byPackage, 5)) if (!packages.includes(k)) packages.push(k);
  const lines = [
    `Sampled main-thread time per request in the timed phase: callgate ${perRequest(callgate.breakdown.busyUs, callgate.requests)} µs (${callgate.requests} requests), floor ${perRequest(floor.breakdown.busyUs, floor.requests)} µs (${floor.requests} requests).`,
    '',
    '| self time by package, µs/request | callgate | floor |',
    '| --- | ---: | ---: |',
    ...packages.map(
      (k) => `| ${cell(k)} | ${perRequest(callgate.breakdown.byPackage.get(k) ?? 0, callgate.requests)} | ${perRequest(floor.breakdown.byPackage.get(k) ?? 0, floor.requests)} |`,
    ),
    '',
    '| callgate\'s top functions by self time | µs/request | share |',
    '| --- | ---: | ---: |',
    ...top(callgate.breakdown.byFunction, topFunctions).map(
      ([k, us]) => `| ${cell(k)} | ${perRequest(us, callgate.requests)} | ${((us / callgate.breakdown.busyUs) * 100).toFixed(1)}% |`,
    ),
  ];
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true });
  if (!positionals[0]) {
    process.stderr.write('usage: tsx bench/profile.ts <file.cpuprofile> [--top 15]\n');
    process.exit(1);
  }
  const b = readProfile(positionals[0]);
  const share = (us: number) => `${((us / b.busyUs) * 100).toFixed(1)}%`;
  process.stdout.write(`busy ${(b.busyUs / 1e6).toFixed(2)} s of ${(b.windowUs / 1e6).toFixed(2)} s (whole profile, start-up included)\n\nby package:\n`);
  for (const [k, us] of top(b.byPackage, 15)) process.stdout.write(`  ${share(us).padStart(6)}  ${k}\n`);
  process.stdout.write('\nby function:\n');
  for (const [k, us] of top(b.byFunction, Number(values.top))) process.stdout.write(`  ${share(us).padStart(6)}  ${k}\n`);
}
