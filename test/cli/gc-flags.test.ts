import { describe, expect, it } from 'vitest';
import { gcFlags, HEAP_GROWING_PERCENT } from '../../src/cli/gc-flags.js';

const GROWTH = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
const NO_PRETENURING = '--no-allocation-site-pretenuring';

describe('gcFlags', () => {
  it.each([
    [[], undefined, [GROWTH, NO_PRETENURING]],
    [['--enable-source-maps'], '--max-old-space-size=512', [GROWTH, NO_PRETENURING]],
    [['--heap-growing-percent=20'], undefined, [NO_PRETENURING]],
    [['--heap_growing_percent=0'], undefined, [NO_PRETENURING]],
    [[], '--enable-source-maps --heap-growing-percent=100', [NO_PRETENURING]],
    [['--heap-growing-percentage=5'], undefined, [GROWTH, NO_PRETENURING]],
    [['--allocation-site-pretenuring'], undefined, [GROWTH]],
    [[], '--no-allocation_site_pretenuring', [GROWTH]],
    [['--allocation-site-pretenuring-extra'], undefined, [GROWTH, NO_PRETENURING]],
    [['--heap-growing-percent=80', '--allocation-site-pretenuring'], undefined, []],
  ] as const)('with execArgv %j and NODE_OPTIONS %j sets %j', (execArgv, nodeOptions, expected) => {
    expect(gcFlags(execArgv, nodeOptions)).toEqual(expected);
  });
});
