// Preloaded with `--import` (NODE_OPTIONS) into a CLI process under test: appends the URL of every
// module the process loads through the ES module loader to the file in $CALLGATE_MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

/** @type {(url: string, context: unknown, next: (url: string, context: unknown) => Promise<unknown>) => Promise<unknown>} */
export async function load(url, context, next) {
  const log = process.env.CALLGATE_MODULE_LOG;
  if (log) appendFileSync(log, `${url}\n`);
  return next(url, context);
}

// The hooks run on a loader thread that imports this file again; only the main thread registers them.
if (isMainThread) register(import.meta.url);
