import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliServer } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MODULE_LOG = fileURLToPath(new URL('../support/module-log.mjs', import.meta.url));

describe('the CLI runs compiled JavaScript', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'callgate-compiled-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads dist/ and neither tsx, esbuild nor any TypeScript file once dist/ is current', async () => {
    const log = join(dir, 'modules.txt');
    const result = await runCli(['migrate', '--db', join(dir, 'modules.sqlite')], {
      env: { NODE_OPTIONS: `--import=${MODULE_LOG}`, CALLGATE_MODULE_LOG: log },
    });
    expect(result.code, result.stderr).toBe(0);
    const loaded = readFileSync(log, 'utf8').trim().split('\n');
    expect(loaded).toContain(new URL('../../dist/cli/main.js', import.meta.url).href);
    expect(loaded).toContain(new URL('../../dist/store/sqlite/sqlite-store.js', import.meta.url).href);
    expect(loaded.filter((url) => /\/node_modules\/(tsx|esbuild)\//.test(url) || /\.[cm]?ts$/.test(url))).toEqual([]);
  });

  it('finds the migrations and the printed schema from dist/, one level below the root like src/', async () => {
    const db = join(dir, 'paths.sqlite');
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    const sqlite = new Database(db, { readonly: true });
    const tables = sqlite.prepare("select name from sqlite_master where type = 'table'").pluck().all();
    sqlite.close();
    expect(tables).toEqual(expect.arrayContaining(['calls', 'custom_fields', 'api_users']));
    // print-schema.ts computes schema/schema.graphql from import.meta.url; run its compiled copy.
    const check = spawnSync(process.execPath, [join(ROOT, 'dist/graphql/print-schema.js'), '--check'], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('schema/schema.graphql is current.');
    expect(check.status).toBe(0);
  });
});

/**
 * A checkout of its own (src/, bin/, scripts/, drizzle/, package.json and a
 * link to node_modules), so editing its sources cannot disturb other tests.
 */
describe('a checkout whose src/ changes', { timeout: 120_000 }, () => {
  let root: string;
  let cli: string;
  const appSource = () => join(root, 'src/http/ops.ts');

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'callgate-checkout-'));
    for (const part of ['src', 'bin', 'scripts', 'drizzle', 'package.json']) cpSync(join(ROOT, part), join(root, part), { recursive: true, preserveTimestamps: true });
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    cli = join(root, 'bin/callgate.js');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** GET /healthz of a fresh `serve`; also checks the server left no child process behind (esbuild's service). */
  const healthz = async () => {
    const server = startCliServer(['--db', join(root, 'db.sqlite')], {}, cli);
    try {
      const body = await (await fetch(`${await server.url}/healthz`)).json();
      expect(readFileSync(`/proc/${server.child.pid}/task/${server.child.pid}/children`, 'utf8').trim()).toBe('');
      return body;
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  };

  it('builds dist/ on the first start, then serves the current source after each edit', async () => {
    expect(existsSync(join(root, 'dist'))).toBe(false);
    expect(await healthz()).toEqual({ status: 'ok' });
    expect(existsSync(join(root, 'dist/cli/main.js'))).toBe(true);

    const original = readFileSync(appSource(), 'utf8');
    const { mtime } = statSync(appSource());
    expect(original).toContain("jsonReply(200, { status: 'ok' })");
    writeFileSync(appSource(), original.replace("jsonReply(200, { status: 'ok' })", "jsonReply(200, { status: 'edited' })"));
    expect(await healthz()).toEqual({ status: 'edited' });

    // Restored with its old mtime, older than dist/: still a different source from the one dist/ was built from.
    writeFileSync(appSource(), original);
    utimesSync(appSource(), mtime, mtime);
    expect(await healthz()).toEqual({ status: 'ok' });
  });

  it('removes the compiled copy of a deleted source, so it cannot be imported stale', async () => {
    writeFileSync(join(root, 'src/core/scratch.ts'), 'export const scratch: number = 1;\n');
    expect((await runCli(['--help'], { cli })).code).toBe(0);
    expect(existsSync(join(root, 'dist/core/scratch.js'))).toBe(true);
    rmSync(join(root, 'src/core/scratch.ts'));
    expect((await runCli(['--help'], { cli })).code).toBe(0);
    expect(existsSync(join(root, 'dist/core/scratch.js'))).toBe(false);
  });

  it('refuses to start when a source does not compile, instead of running the last build', async () => {
    const original = readFileSync(appSource(), 'utf8');
    writeFileSync(appSource(), `${original}\nexport const broken = ;\n`);
    try {
      const result = await runCli(['--help'], { cli });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('callgate: cannot compile src/ to dist/');
      expect(result.stderr).toContain('ops.ts');
      expect(result.stdout).toBe('');
    } finally {
      writeFileSync(appSource(), original);
    }
  });
});
