// @ts-check
/**
 * Switches callgate's change log per server process, from bench land only:
 * `node --import ./bench/change-log-switch.js bin/callgate.js serve` with
 * BENCH_CHANGE_LOG=on|off. The runner (`--compare-change-log`) starts both
 * configurations this way, so they differ in nothing but the switch; nothing
 * `callgate serve` reads can turn the log off.
 *
 * `off` replaces the compiled store modules (dist/store/sqlite/sqlite-store.js,
 * dist/store/pg/pg-store.js) with ones whose store class is the real one
 * constructed with `changeLog: false`, the store option that exists for this
 * comparison. `on` changes nothing. Either way the hooks write a line to stderr
 * when such a module loads; the runner refuses a server without it (the module
 * was moved or renamed, and the switch would silently do nothing), and checks
 * after every run that the server wrote change records exactly when it should.
 */
import { register } from 'node:module';

const mode = process.env.BENCH_CHANGE_LOG;
if (mode !== 'on' && mode !== 'off') {
  process.stderr.write(`bench/change-log-switch.js: BENCH_CHANGE_LOG=${JSON.stringify(mode)}: expected on or off\n`);
  process.exit(2);
}
register('./change-log-hooks.js', import.meta.url, { data: { mode } });
