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
// A computed specifier: the type check covers src/, not its compiled copy.
await import(new URL('../dist/cli/main.js', import.meta.url).href);
