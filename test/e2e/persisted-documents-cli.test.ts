import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliServer } from '../support/cli.js';
import { freshDatabaseUrl, STORE_UNDER_TEST } from '../support/database.js';

/** A document's id as graphql-codegen's client preset makes it. */
const idOf = (document: string) => `sha256:${createHash('sha256').update(document).digest('hex')}`;
const USERNAME = '{ viewer { username } }';
const ROLE = '{ viewer { role } }';

describe(`trusted documents in the real server: PERSISTED_DOCUMENTS_MODE=require and SIGHUP (${STORE_UNDER_TEST})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-persisted-e2e-'));
  const manifest = join(dir, 'persisted-documents.json');
  let db: string;
  let token: string;
  let server: ReturnType<typeof startCliServer>;
  let url: string;

  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };

  /** Sends SIGHUP and waits until `ready` says the reload has happened. */
  async function hangUp(ready: () => Promise<boolean>) {
    server.child.kill('SIGHUP');
    for (let i = 0; i < 100 && !(await ready()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  beforeAll(async () => {
    db = await freshDatabaseUrl();
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    const user = await runCli(['users', 'create', '--db', db, '--username', 'app', '--role', 'editor', '--password-stdin'], { stdin: 'e2e-password-1\n' });
    expect(user.code, user.stderr).toBe(0);
    token = JSON.parse((await runCli(['tokens', 'create', '--db', db, '--username', 'app'])).stdout).token;
    writeFileSync(manifest, JSON.stringify({ [idOf(USERNAME)]: USERNAME }));
    server = startCliServer(['--db', db], { PERSISTED_DOCUMENTS: manifest, PERSISTED_DOCUMENTS_MODE: 'require' });
    url = await server.url;
  }, 60_000);

  afterAll(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('will not start with a manifest it cannot read, and names the file', async () => {
    const missing = join(dir, 'missing.json');
    const result = await runCli(['serve', '--db', db, '--port', '0'], { env: { PERSISTED_DOCUMENTS: missing } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`callgate: Invalid configuration: PERSISTED_DOCUMENTS=${JSON.stringify(missing)}: ${missing}: cannot be read (no such file)\n`);
  });

  it('runs the manifest’s documents and refuses query text', async () => {
    expect(await post({ documentId: idOf(USERNAME) })).toEqual({ status: 200, body: { data: { viewer: { username: 'app' } } } });
    const text = await post({ query: USERNAME });
    expect(text.status).toBe(400);
    expect(text.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_DOCUMENT_REQUIRED');
  });

  it('reads the manifest again on SIGHUP', async () => {
    expect((await post({ documentId: idOf(ROLE) })).status).toBe(400);
    writeFileSync(manifest, JSON.stringify({ [idOf(USERNAME)]: USERNAME, [idOf(ROLE)]: ROLE }));
    await hangUp(async () => (await post({ documentId: idOf(ROLE) })).status === 200);
    expect(await post({ documentId: idOf(ROLE) })).toEqual({ status: 200, body: { data: { viewer: { role: 'EDITOR' } } } });
  });

  it('keeps serving the previous set when the new manifest is broken, and logs why', async () => {
    writeFileSync(manifest, '{"truncated": ');
    await hangUp(async () => server.stderr().includes('trusted documents not reloaded'));
    expect(server.stderr()).toMatch(/"msg":"trusted documents not reloaded: still serving the previous set"/);
    expect(server.stderr()).toContain(`${manifest}: not JSON (`);
    expect(await post({ documentId: idOf(ROLE) })).toEqual({ status: 200, body: { data: { viewer: { role: 'EDITOR' } } } });
    expect(server.child.exitCode).toBeNull();
  });
});
