/**
 * The `--baseline <git-ref>` build: callgate as of another commit, unpacked
 * with `git archive` into bench/.work/baseline-<sha>/ (no worktree, nothing
 * written to the repository), with its own scripts/build.js compiling its
 * own dist/, and started like this tree's (`node <dir>/bin/callgate.js serve`,
 * same flags and environment). The unpacked and built copy is kept for the
 * next run against the same commit.
 */
import { execFileSync, execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hashTree, sourceFingerprint } from './machine.js';
import { ROOT } from './processes.js';

export interface CallgateBuild {
  /** What was asked for on the command line, e.g. HEAD~1. */
  ref: string;
  commit: string;
  short: string;
  subject: string;
  /** The unpacked checkout, whose bin/callgate.js runs. */
  root: string;
  fingerprint: string;
  /** How its node_modules came about. */
  nodeModules: string;
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** A hash of a checkout's migrations for one store (paths under drizzle/<store>/ and bytes). */
function migrationsHash(root: string, store: 'sqlite' | 'pg'): string {
  const hash = createHash('sha256');
  hashTree(hash, root, `drizzle/${store}`);
  return hash.digest('hex');
}

const readOrNull = (path: string) => (existsSync(path) ? readFileSync(path) : null);

/** Unpacks, installs and builds callgate as of `ref`; `log` narrates the slow steps. */
export function prepareBaseline(ref: string, store: 'sqlite' | 'pg', log: (line: string) => void): CallgateBuild {
  let commit: string;
  try {
    commit = git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    throw new Error(`--baseline ${ref}: not a commit in this repository`);
  }
  const short = git('rev-parse', '--short', commit);
  const subject = git('log', '-1', '--format=%s', commit);
  const root = join(ROOT, 'bench/.work', `baseline-${commit.slice(0, 12)}`);
  const stamp = join(root, '.bench-baseline');

  if (readOrNull(stamp)?.toString() !== commit) {
    log(`baseline: unpacking ${short} (${subject}) into ${relative(ROOT, root)}/`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    execSync(`git archive --format=tar ${commit} | tar -x -C '${root}'`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(stamp, commit);
  }
  if (!existsSync(join(root, 'bin/callgate.js'))) throw new Error(`--baseline ${ref}: ${short} has no bin/callgate.js to start`);

  // The database is seeded once, through this tree's migrations; a baseline with other migrations would not run on its own schema.
  // Only the store under test counts: a PostgreSQL migration does not change what a SQLite run compares.
  if (migrationsHash(root, store) !== migrationsHash(ROOT, store)) {
    throw new Error(
      `--baseline ${ref}: ${short}'s drizzle/${store}/ migrations differ from this tree's; both servers run on one seeded schema, so the comparison would not be like for like`,
    );
  }

  const modules = join(root, 'node_modules');
  const linked = existsSync(modules) && lstatSync(modules).isSymbolicLink();
  let nodeModules: string;
  if (readOrNull(join(root, 'package-lock.json'))?.equals(readFileSync(join(ROOT, 'package-lock.json')))) {
    if (!linked) {
      rmSync(modules, { recursive: true, force: true });
      symlinkSync(realpathSync(join(ROOT, 'node_modules')), modules, 'dir');
    }
    nodeModules = "this tree's node_modules (identical package-lock.json), linked";
  } else {
    if (linked || !existsSync(join(modules, '.package-lock.json'))) {
      rmSync(modules, { recursive: true, force: true });
      log(`baseline: its package-lock.json differs from this tree's: npm ci in ${relative(ROOT, root)}/ (a few minutes)`);
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
    }
    nodeModules = 'its own, from `npm ci` (its package-lock.json differs from this tree\'s)';
  }

  if (existsSync(join(root, 'scripts/build.js'))) {
    log(`baseline: compiling ${short}'s src/ with its own scripts/build.js`);
    execFileSync(process.execPath, [join(root, 'scripts/build.js')], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  return { ref, commit, short, subject, root, fingerprint: sourceFingerprint(root), nodeModules };
}
