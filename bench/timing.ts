import { performance } from 'node:perf_hooks';

/** How long a read takes: after 3 warm-up runs, the median and 95th percentile of `runs`, and the rows it returned. */
export interface Timing {
  median: number;
  p95: number;
  rows: number;
}

export async function time(run: () => Promise<number>, runs: number): Promise<Timing> {
  let rows = 0;
  for (let i = 0; i < 3; i++) rows = await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, p95: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]!, rows };
}
