#!/usr/bin/env node
// Runs the compiled CLI in dist/: plain JavaScript, no transpiler in the process.
// Compiles src/ to dist/ first when dist/ is missing or was built from other sources, so an edit is never run stale.
import { ensureBuilt } from '../scripts/build.js';

try {
  await ensureBuilt();
} catch (error) {
  process.stderr.write(`callgate: cannot compile src/ to dist/:\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
// Computed specifiers: the type check covers src/, not its compiled copy.
const dist = (/** @type {string} */ path) => new URL(`../dist/${path}`, import.meta.url).href;
/** @type {typeof import('../src/cli/gc-flags.js')} */
const { setGcFlags } = await import(dist('cli/gc-flags.js'));
// Before the program loads: its heap stays near what is live and request garbage dies young (see src/cli/gc-flags.ts).
setGcFlags(process.execArgv, process.env.NODE_OPTIONS);
await import(dist('cli/main.js'));
