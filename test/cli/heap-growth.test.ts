import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../src/cli/heap-growth.js';

describe('heapGrowthFlag', () => {
  it.each([
    [[], undefined, `--heap-growing-percent=${HEAP_GROWING_PERCENT}`],
    [['--enable-source-maps'], '--max-old-space-size=512', `--heap-growing-percent=${HEAP_GROWING_PERCENT}`],
    [['--heap-growing-percent=20'], undefined, null],
    [['--heap_growing_percent=0'], undefined, null],
    [[], '--enable-source-maps --heap-growing-percent=100', null],
    [['--heap-growing-percentage=5'], undefined, `--heap-growing-percent=${HEAP_GROWING_PERCENT}`],
  ] as const)('with execArgv %j and NODE_OPTIONS %j sets %j', (execArgv, nodeOptions, expected) => {
    expect(heapGrowthFlag(execArgv, nodeOptions)).toBe(expected);
  });
});
