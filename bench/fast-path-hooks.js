// @ts-check
/** Module hooks of bench/fast-path-switch.js (they run on Node's hooks thread). */
import { writeSync } from 'node:fs';

/** The compiled module that exports createGraphQLFastPath, under any callgate root. */
const FAST_PATH_MODULE = /\/dist\/http\/graphql-fast-path\.js$/;
const SHIM = 'bench-fast-path=off';
/** What bench/processes.ts looks for in the server's log. */
const MARKER = 'bench fast-path-switch:';

/** @type {'on' | 'off'} */
let mode = 'on';

/** @param {{ mode: 'on' | 'off' }} data */
export function initialize(data) {
  mode = data.mode;
}

/**
 * @param {string} specifier
 * @param {{ parentURL?: string }} context
 * @param {(specifier: string, context: object) => Promise<{ url: string }>} next
 */
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const url = new URL(resolved.url);
  if (url.protocol !== 'file:' || url.search || !FAST_PATH_MODULE.test(url.pathname) || context.parentURL?.includes(SHIM)) return resolved;
  writeSync(2, `${MARKER} ${url.pathname} loaded, fast path ${mode}\n`);
  if (mode === 'on') return resolved;
  return { ...resolved, url: `${resolved.url}?${SHIM}`, shortCircuit: true };
}

/**
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<object>} next
 */
export async function load(url, context, next) {
  if (!url.endsWith(`?${SHIM}`)) return next(url, context);
  const real = JSON.stringify(url.slice(0, -SHIM.length - 1));
  // Everything the real module exports, except that its fast path takes no request; its counter stays.
  const source = [
    `export * from ${real};`,
    `import { createGraphQLFastPath as createReal } from ${real};`,
    'export function createGraphQLFastPath(yoga, options) {',
    '  const real = createReal(yoga, options);',
    '  const declineAll = () => false;',
    '  declineAll.directExecutions = real.directExecutions;',
    '  return declineAll;',
    '}',
  ].join('\n');
  return { format: 'module', source, shortCircuit: true };
}
