// @ts-check
/** Module hooks of bench/change-log-switch.js (they run on Node's hooks thread). */
import { writeSync } from 'node:fs';

/** The compiled store modules and the class each exports, under any callgate root. */
const STORE_MODULES = [
  { path: /\/dist\/store\/sqlite\/sqlite-store\.js$/, className: 'SqliteCallStore' },
  { path: /\/dist\/store\/pg\/pg-store\.js$/, className: 'PgCallStore' },
];
const SHIM = 'bench-change-log=off';
/** What bench/processes.ts looks for in the server's log. */
const MARKER = 'bench change-log-switch:';

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
  if (url.protocol !== 'file:' || url.search || context.parentURL?.includes(SHIM)) return resolved;
  const store = STORE_MODULES.find((m) => m.path.test(url.pathname));
  if (!store) return resolved;
  writeSync(2, `${MARKER} ${url.pathname} loaded, ${store.className} change log ${mode}\n`);
  if (mode === 'on') return resolved;
  return { ...resolved, url: `${resolved.url}?${SHIM}&class=${store.className}`, shortCircuit: true };
}

/**
 * @param {string} url
 * @param {object} context
 * @param {(url: string, context: object) => Promise<object>} next
 */
export async function load(url, context, next) {
  const at = url.indexOf(`?${SHIM}&class=`);
  if (at < 0) return next(url, context);
  const real = JSON.stringify(url.slice(0, at));
  const className = url.slice(at + SHIM.length + 8);
  // Everything the real module exports; its store class is the real one, constructed without the change log.
  const source = [
    `export * from ${real};`,
    `import { ${className} as Real } from ${real};`,
    `export class ${className} extends Real {`,
    '  constructor(options) {',
    '    super({ ...options, changeLog: false });',
    '  }',
    '}',
  ].join('\n');
  return { format: 'module', source, shortCircuit: true };
}
