// @ts-check
/**
 * Switches callgate's /graphql fast path per server process, from bench land
 * only: `node --import ./bench/fast-path-switch.js bin/callgate.js serve` with
 * BENCH_GRAPHQL_FAST_PATH=on|off. The runner (`--compare-fast-path`) starts
 * both configurations this way, so they differ in nothing but the switch.
 *
 * `off` replaces the module that exports createGraphQLFastPath
 * (dist/http/graphql-fast-path.js) with one whose fast path declines every request,
 * so app.ts hands each /graphql request to yoga's own Node handler, as it does
 * for any request the fast path does not take. `on` changes nothing. Either
 * way the hooks write a line to stderr when that module loads; the runner
 * refuses a server without it (the module was moved or renamed, and the
 * switch would silently do nothing).
 */
import { register } from 'node:module';

const mode = process.env.BENCH_GRAPHQL_FAST_PATH;
if (mode !== 'on' && mode !== 'off') {
  process.stderr.write(`bench/fast-path-switch.js: BENCH_GRAPHQL_FAST_PATH=${JSON.stringify(mode)}: expected on or off\n`);
  process.exit(2);
}
register('./fast-path-hooks.js', import.meta.url, { data: { mode } });
