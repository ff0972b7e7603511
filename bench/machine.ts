/** What a benchmark report says about where it ran: the machine, the versions, the code measured. */
import { execFileSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT } from './processes.js';

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || availableParallelism(),
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: release(),
  };
}

export function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function sqliteVersions(): Record<string, string> {
  const memory = new Database(':memory:');
  const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
  memory.close();
  return { 'better-sqlite3': `${packageVersion('better-sqlite3')} (SQLite ${sqlite})` };
}

/** The versions a report names; `database` says which database ran (SQLite's by default). */
export function versions(database: Record<string, string> = sqliteVersions()): Record<string, string> {
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'scripts'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes in src/, bin/ or scripts/)';
  } catch {
    // not a git checkout
  }
  return {
    'Node.js': process.version,
    ...database,
    'graphql-yoga': packageVersion('graphql-yoga'),
    graphql: packageVersion('graphql'),
    autocannon: packageVersion('autocannon'),
    'callgate commit': commit,
  };
}

/** Feeds every file under `root/dir` into `hash`, in name order: its path relative to `root`, then its bytes. */
export function hashTree(hash: Hash, root: string, dir: string): void {
  const walk = (at: string) => {
    if (!existsSync(at)) return;
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(join(root, dir));
}

/**
 * A hash of what callgate runs (src/, bin/, scripts/, drizzle/, package-lock.json). Each
 * run starts a fresh callgate process, so an edit during the benchmark would
 * silently mix versions; the runner compares this before and after. `root`:
 * another checkout (the --baseline build), this tree by default.
 */
export function sourceFingerprint(root = ROOT): string {
  const hash = createHash('sha256');
  for (const dir of ['src', 'bin', 'scripts', 'drizzle']) hashTree(hash, root, dir);
  if (existsSync(join(root, 'package-lock.json'))) hash.update(readFileSync(join(root, 'package-lock.json')));
  return hash.digest('hex').slice(0, 12);
}
