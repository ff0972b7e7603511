// @ts-check
/**
 * Compiles src/ to dist/ file by file with esbuild (types stripped, no
 * bundling), so the CLI runs plain JavaScript with no transpiler in the
 * process. dist/ mirrors src/ one level below the repository root, so paths
 * computed from import.meta.url (../../../drizzle/sqlite, ../../schema/…)
 * resolve the same from both. Files under src/ that are not TypeScript are
 * copied as they are.
 *
 *   node scripts/build.js          (npm run build)
 *
 * bin/callgate.js calls ensureBuilt() before every start: dist/ records a
 * fingerprint of the sources it was built from (path, size and mtime of every
 * file under src/, and of this script), and any difference rebuilds it, so an
 * edit, a new or deleted file or a checkout is never run stale. The check
 * stats the files and reads no source; esbuild loads only for a rebuild.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = '.build-stamp.json';
const ENTRY = join('cli', 'main.js');
const SELF = fileURLToPath(import.meta.url);
/** A temporary file of a build still running (or one that crashed): `<name>.<pid>.tmp`. */
const TEMPORARY = /\.\d+\.tmp$/;

/**
 * Relative paths of the files under `dir`, sorted; dot files (editor swap
 * files, .DS_Store) are skipped.
 * @param {string} dir
 * @returns {string[]}
 */
function filesUnder(dir) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * @param {string} root
 * @param {string[]} sources paths relative to src/
 */
function fingerprintOf(root, sources) {
  const hash = createHash('sha256');
  const add = (/** @type {string} */ label, /** @type {string} */ path) => {
    const stat = statSync(path);
    hash.update(`${label}\0${stat.size}\0${stat.mtimeMs}\n`);
  };
  for (const file of sources) add(file, join(root, 'src', file));
  add('<build script>', SELF);
  return hash.digest('hex');
}

/**
 * @param {string} path
 * @param {string | Uint8Array} contents
 */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * Why dist/ under `root` cannot run as it is, or null when it was built from
 * the sources as they are now.
 * @param {string} [root]
 * @returns {string | null}
 */
export function staleReason(root = ROOT) {
  const dist = join(root, 'dist');
  /** @type {{ fingerprint?: string }} */
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(dist, STAMP), 'utf8'));
    statSync(join(dist, ENTRY));
  } catch {
    return 'dist/ has not been built';
  }
  return stamp.fingerprint === fingerprintOf(root, filesUnder(join(root, 'src'))) ? null : 'src/ changed since dist/ was built';
}

/**
 * Compiles every file under src/ into dist/ and removes what no source
 * produces any more. Each file is replaced atomically, so a process starting
 * meanwhile, or a second build at the same time, never reads half a file.
 * @param {string} [root]
 * @returns {Promise<{ sources: number; ms: number }>}
 */
export async function build(root = ROOT) {
  const started = performance.now();
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  // Taken before reading any source: an edit during the build changes it, and the next start rebuilds.
  const sources = filesUnder(src);
  const fingerprint = fingerprintOf(root, sources);
  const typescript = sources.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  const assets = sources.filter((file) => !file.endsWith('.ts'));

  const esbuild = await import('esbuild');
  // esbuild runs a service process; stop it, or it lives (about 30 MB) as long as the server that just built.
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: typescript.map((file) => join(src, file)),
    outbase: src,
    outdir: dist,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Stack traces map back to src/ under `node --enable-source-maps`.
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'silent',
  }).finally(() => esbuild.stop());

  const written = new Set([STAMP]);
  for (const output of result.outputFiles) {
    writeUnlessSame(output.path, output.contents);
    written.add(relative(dist, output.path));
  }
  for (const file of assets) {
    writeUnlessSame(join(dist, file), readFileSync(join(src, file)));
    written.add(file);
  }
  prune(dist, written);
  writeAtomically(join(dist, STAMP), `${JSON.stringify({ fingerprint, sources: sources.length })}\n`);
  return { sources: sources.length, ms: Math.round(performance.now() - started) };
}

/**
 * Keeps a file that already holds these bytes as it is.
 * @param {string} path
 * @param {Uint8Array} contents
 */
function writeUnlessSame(path, contents) {
  try {
    if (Buffer.compare(readFileSync(path), contents) === 0) return;
  } catch {
    // not there yet
  }
  writeAtomically(path, contents);
}

/**
 * Deletes files under dist/ that this build did not produce (their source
 * was deleted or renamed: a stale module must not stay importable), then
 * empty directories. Another build's temporary files stay unless they are
 * old enough to be left over from a crash.
 * @param {string} dist
 * @param {Set<string>} keep
 */
function prune(dist, keep) {
  const walk = (/** @type {string} */ at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        try {
          rmdirSync(path);
        } catch {
          // not empty
        }
        continue;
      }
      const file = relative(dist, path);
      if (keep.has(file)) continue;
      const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (TEMPORARY.test(file) && Date.now() - modified < 60_000) continue;
      rmSync(path, { force: true });
    }
  };
  walk(dist);
}

/**
 * Builds dist/ when it is missing or stale; cheap when it is current.
 * @param {string} [root]
 * @returns {Promise<boolean>} whether it built
 */
export async function ensureBuilt(root = ROOT) {
  if (staleReason(root) === null) return false;
  await build(root);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { sources, ms } = await build();
  process.stdout.write(`dist/: ${sources} files under src/ compiled in ${ms} ms\n`);
}
