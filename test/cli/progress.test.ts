import { describe, expect, it } from 'vitest';
import { progressOn } from '../../src/cli/progress.js';

/** A stderr stand-in: what was written, and whether it is a terminal. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  const fake = { isTTY, columns: 120, write: (text: string) => (written.push(text), true), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => fake, removeListener: () => fake };
  return { fake: fake as unknown as NodeJS.WriteStream, text: () => written.join('') };
}

describe('progress on stderr', () => {
  it('off a terminal: a plain line at most every interval with rows, share, rate and time left, then the summary', () => {
    let clock = 0;
    const out = stream(false);
    const progress = progressOn(out.fake, 'importing', { intervalMs: 5000, now: () => clock });
    progress.start(10_000);
    clock = 1000;
    progress.update(1000); // within the interval: nothing
    clock = 5000;
    progress.update(2500);
    clock = 10_000;
    progress.update(5000);
    progress.finish('imported 10000 calls');
    expect(out.text()).toBe(
      'importing: 2,500 of 10,000 (25%) rows, 500 rows/s, about 15.0 s left\n' +
        'importing: 5,000 of 10,000 (50%) rows, 500 rows/s, about 10.0 s left\n' +
        'imported 10000 calls in 10.0 s (500 rows/s)\n',
    );
  });

  it('without a total: rows and rate only', () => {
    let clock = 0;
    const out = stream(false);
    const progress = progressOn(out.fake, 'reading', { intervalMs: 0, now: () => clock });
    progress.start();
    clock = 2000;
    progress.update(4000);
    expect(out.text()).toBe('reading: 4,000 rows, 2,000 rows/s\n');
  });

  it('a note says what the work does when it is no longer rows, then the summary follows', () => {
    let clock = 0;
    const out = stream(false);
    const progress = progressOn(out.fake, 'importing', { intervalMs: 5000, now: () => clock });
    progress.start(100);
    clock = 1000;
    progress.update(100);
    progress.note('100 rows written, committing');
    clock = 2000;
    progress.finish('imported 100 calls');
    expect(out.text()).toBe('importing: 100 rows written, committing\nimported 100 calls in 2.0 s (50 rows/s)\n');
  });

  it('on a terminal: a bar with the share, rows written, rate and time left, then the summary', () => {
    const out = stream(true);
    const progress = progressOn(out.fake, 'importing');
    progress.start(200);
    progress.update(100); // redrawn on the bar's own clock
    expect(out.text()).toMatch(/importing \[░+\] 0% \| 0\/200 rows \| 0 rows\/s \| .+ left/);
    progress.finish('imported 200 calls');
    expect(out.text()).toMatch(/imported 200 calls in [\d.]+ s \([\d,]+ rows\/s\)\n$/);
  });

  it('on a terminal, a note puts the bar away and prints its line', () => {
    const out = stream(true);
    const progress = progressOn(out.fake, 'importing');
    progress.start(200);
    progress.update(200);
    progress.note('200 rows written, committing');
    progress.finish('imported 200 calls');
    expect(out.text()).toMatch(/importing: 200 rows written, committing\nimported 200 calls in [\d.]+ s \([\d,]+ rows\/s\)\n$/);
  });
});
