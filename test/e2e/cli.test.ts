import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshDatabaseUrl, queryDatabase, STORE_UNDER_TEST } from '../support/database.js';
import { closedPort, silentPort } from '../support/tcp-proxy.js';

const call = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ call_id: id, setup_time: '2026-03-01T12:00:00Z', from_number: '+1', to_number: '+2', direction: 'outbound', duration: 1, ...extra });
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

// Each test starts several real CLI processes (migrations, scrypt): give them room on a loaded machine.
describe(`callgate CLI (${STORE_UNDER_TEST})`, { timeout: 60_000 }, () => {
  let dir: string;
  let db: string;
  const count = async (sql: string) => Number((await queryDatabase(db, sql))[0]!.n);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callgate-cli-'));
    db = await freshDatabaseUrl();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate creates the database and prints JSON; DATABASE_URL is the default --db', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: db } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ migrated: true });
    expect(await count('select count(*) n from calls')).toBe(0);
  });

  it('creates tenants, users, tokens and fields, printing JSON without secrets except the one-time token', async () => {
    expect(JSON.parse((await runCli(['tenants', 'create', '--name', 'acme', '--db', db])).stdout)).toMatchObject({ name: 'acme' });
    const user = await runCli(['users', 'create', '--username', 'ann', '--role', 'viewer', '--tenant', 'acme', '--password-stdin', '--db', db], { stdin: 'long-enough-pw\n' });
    expect(JSON.parse(user.stdout)).toMatchObject({ username: 'ann', role: 'viewer', tenant: 'acme' });
    expect(user.stdout).not.toContain('long-enough-pw');
    const token = JSON.parse((await runCli(['tokens', 'create', '--username', 'ann', '--db', db])).stdout);
    expect(token.token).toMatch(/^cg_[A-Za-z0-9_-]{43}$/);
    const field = await runCli(['fields', 'create', '--name', 'Call type', '--type', 'text', '--max-length', '20', '--no-editable', '--tenant', 'acme', '--db', db]);
    expect(JSON.parse(field.stdout)).toMatchObject({ name: 'Call type', type: 'text', max_length: 20, editable: false, enabled: true });
    const [stored] = (await queryDatabase(db, 'select token_hash from api_tokens')) as { token_hash: string }[];
    expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored!.token_hash).not.toContain(token.token);
  });

  it.each([
    [['users', 'create', '--username', 'x', '--role', 'boss', '--password-stdin'], 2, '--role must be one of admin, editor, viewer'],
    [['users', 'create', '--username', 'x', '--role', 'viewer'], 2, '--password-stdin is required'],
    [['fields', 'create', '--name', 'X', '--type', 'colour'], 2, '--type must be one of text, option, number, date'],
    [['fields', 'create', '--name', 'X', '--type', 'option'], 2, 'An option field needs at least one option'],
    [['fields', 'create', '--name', 'X'.repeat(65), '--type', 'text'], 2, 'Name is longer than 64 characters'],
    [['fields', 'create', '--type', 'text'], 2, '--name is required'],
    [['tokens', 'create', '--username', 'nobody'], 1, 'Unknown user "nobody"'],
    [['fields', 'create', '--name', 'X', '--type', 'text', '--tenant', 'nope'], 1, 'Unknown tenant "nope"'],
    [['frobnicate'], 2, 'Unknown command "frobnicate"'],
  ])('%j fails with exit code %i and says why on stderr', async (args, code, message) => {
    const result = await runCli([...args, '--db', db], { stdin: 'long-enough-pw' });
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a second field whose name differs only in case', async () => {
    await runCli(['fields', 'create', '--name', 'Payment status', '--type', 'text', '--db', db]);
    const again = await runCli(['fields', 'create', '--name', 'payment STATUS', '--type', 'text', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('imports calls from stdin with their custom fields', async () => {
    await runCli(['fields', 'create', '--name', 'Payment status', '--type', 'option', '--options', 'Unknown,Paid', '--db', db]);
    const lines = [call(ID(1), { custom_fields: [{ name: 'Payment status', value: 'Paid' }] }), '', call(ID(2))].join('\n');
    const result = await runCli(['calls', 'import', '-', '--db', db], { stdin: lines });
    expect(JSON.parse(result.stdout)).toEqual({ imported: 2, tenant: 'default' });
    expect(await count('select count(*) n from calls')).toBe(2);
    expect(await count("select count(*) n from call_custom_field_values where value = 'Paid'")).toBe(1);
  });

  it('creates multiselect and boolean fields and imports their values (a list, a JSON boolean)', async () => {
    const channels = await runCli(['fields', 'create', '--name', 'Channels', '--type', 'multiselect', '--options', 'Email,Phone,Letter', '--db', db]);
    expect(JSON.parse(channels.stdout)).toMatchObject({ name: 'Channels', type: 'multiselect', options: ['Email', 'Phone', 'Letter'] });
    await runCli(['fields', 'create', '--name', 'Callback', '--type', 'boolean', '--db', db]);
    const line = call(ID(1), { custom_fields: [{ name: 'Channels', value: ['Letter', 'Email'] }, { name: 'Callback', value: true }] });
    const result = await runCli(['calls', 'import', '-', '--db', db], { stdin: line });
    expect(result.code, result.stderr).toBe(0);
    expect(await count(`select count(*) n from call_custom_field_values where value = '["Email","Letter"]'`)).toBe(1);
    expect(await count("select count(*) n from call_custom_field_values where value = 'true'")).toBe(1);
  });

  it.each([
    ['a broken JSON line', '{"call_id": ', 'line 3: Invalid JSON'],
    ['a bad call id', call('not-a-uuid'), 'line 3: call_id must be a UUID'],
    ['an unknown custom field', call(ID(9), { custom_fields: [{ name: 'Nope', value: 'x' }] }), 'line 3: custom_fields.0.name: Unknown custom field'],
    ['a duplicate call', call(ID(1)), 'line 3: call 00000000-0000-4000-8000-000000000001 already exists'],
  ])('stops at %s with its line number and imports nothing', async (_what, badLine, message) => {
    const file = join(dir, 'calls.jsonl');
    writeFileSync(file, [call(ID(1)), call(ID(2)), badLine, call(ID(4))].join('\n'));
    const result = await runCli(['calls', 'import', file, '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(await count('select count(*) n from calls')).toBe(0);
  });

  it('seed --demo creates users, the vendor fields and 1,000 calls, and prints the credentials', async () => {
    const result = await runCli(['seed', '--demo', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    const seeded = JSON.parse(result.stdout);
    expect(seeded.users.map((u: { username: string }) => u.username)).toEqual(['admin', 'editor', 'viewer']);
    expect(seeded.users.every((u: { password: string }) => u.password.length >= 16)).toBe(true);
    expect(seeded.calls).toBe(1000);
    expect(await count('select count(*) n from calls')).toBe(1000);
    expect(await count("select count(*) n from custom_fields where field_id in ('138fb20c-4c3b-11ee-8cbb-0015172d2a7d', '9079d60a-5192-11ee-aa89-0015172d2a7d') and name in ('Payment status', 'Call type')")).toBe(2);
    const again = await runCli(['seed', '--demo', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('needs a fresh database');
  }, 60_000);

  it('seed --demo writes everything or nothing: a clashing field name leaves no users and no calls behind', async () => {
    expect((await runCli(['fields', 'create', '--name', 'payment STATUS', '--type', 'text', '--db', db])).code).toBe(0);
    const result = await runCli(['seed', '--demo', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('already exists');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await count('select count(*) n from api_users')).toBe(0);
    expect(await count('select count(*) n from api_tokens')).toBe(0);
    expect(await count('select count(*) n from calls')).toBe(0);
    expect(await count('select count(*) n from custom_fields')).toBe(1);
  });

  it('a bad environment variable stops start-up naming the variable', async () => {
    const result = await runCli(['serve', '--db', db], { env: { PORT: 'eighty', LOG_LEVEL: 'loud' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT="eighty"');
    expect(result.stderr).toContain('LOG_LEVEL="loud"');
  });
});

describe('callgate and a database that is down', () => {
  it('a PostgreSQL URL with nothing listening: migrate and serve stop with a clear message and exit code 1', async () => {
    const port = await closedPort();
    for (const args of [['migrate'], ['serve', '--port', '0']]) {
      const result = await runCli([...args, '--db', `postgres://postgres:SECRET@127.0.0.1:${port}/test`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`callgate: The database at 127.0.0.1:${port}/test cannot be reached (connect ECONNREFUSED 127.0.0.1:${port})`);
      expect(result.stderr).not.toMatch(/\n\s+at |SECRET/);
      expect(result.stdout).toBe('');
    }
  });

  it('a server that accepts but never answers: gives up after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    const silent = await silentPort();
    try {
      const started = Date.now();
      const result = await runCli(['migrate', '--db', `postgresql://postgres@127.0.0.1:${silent.port}/test`], { env: { DATABASE_CONNECT_TIMEOUT_MS: '500' } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`The database at 127.0.0.1:${silent.port}/test cannot be reached`);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await silent.close();
    }
  });

  it('rejects a schema name that is not a plain identifier, before connecting', async () => {
    const result = await runCli(['migrate', '--db', 'postgres://postgres@127.0.0.1:1/test?schema=Robert%27);drop'], {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('callgate: The schema "Robert\');drop" in the database URL must start with a lower-case letter');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad pool size, timeout or prepared-statements switch naming the variable', async () => {
    const result = await runCli(['migrate', '--db', 'postgres://postgres@127.0.0.1:1/test'], {
      env: { DATABASE_POOL_SIZE: '0', DATABASE_STATEMENT_TIMEOUT_MS: 'soon', DATABASE_CONNECT_TIMEOUT_MS: '-1', DATABASE_PREPARED_STATEMENTS: 'no' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_PREPARED_STATEMENTS="no"');
    expect(result.stderr).toContain('DATABASE_POOL_SIZE="0"');
    expect(result.stderr).toContain('DATABASE_STATEMENT_TIMEOUT_MS="soon"');
    expect(result.stderr).toContain('DATABASE_CONNECT_TIMEOUT_MS="-1"');
  });
});
