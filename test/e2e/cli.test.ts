import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const call = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ call_id: id, setup_time: '2026-03-01T12:00:00Z', from_number: '+1', to_number: '+2', direction: 'outbound', duration: 1, ...extra });
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

// Each test starts several real CLI processes (tsx, migrations, scrypt): give them room on a loaded machine.
describe('callgate CLI', { timeout: 60_000 }, () => {
  let dir: string;
  let db: string;
  const count = (sql: string) => {
    const sqlite = new Database(db, { readonly: true });
    try {
      return (sqlite.prepare(sql).get() as { n: number }).n;
    } finally {
      sqlite.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callgate-cli-'));
    db = join(dir, 'db.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate creates the database and prints JSON; DATABASE_URL is the default --db', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: db } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ migrated: true });
    expect(existsSync(db)).toBe(true);
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
    const sqlite = new Database(db, { readonly: true });
    const stored = sqlite.prepare('select token_hash from api_tokens').get() as { token_hash: string };
    sqlite.close();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(token.token);
  });

  it.each([
    [['users', 'create', '--username', 'x', '--role', 'boss', '--password-stdin'], '--role must be one of admin, editor, viewer'],
    [['fields', 'create', '--name', 'X', '--type', 'colour'], '--type must be one of text, option, number, date'],
    [['fields', 'create', '--name', 'X', '--type', 'option'], 'An option field needs at least one option'],
    [['fields', 'create', '--name', 'X'.repeat(65), '--type', 'text'], 'Name is longer than 64 characters'],
    [['tokens', 'create', '--username', 'nobody'], 'Unknown user "nobody"'],
    [['fields', 'create', '--name', 'X', '--type', 'text', '--tenant', 'nope'], 'Unknown tenant "nope"'],
    [['frobnicate'], 'Unknown command "frobnicate"'],
  ])('%j fails with exit code 1 and says why on stderr', async (args, message) => {
    const result = await runCli([...args, '--db', db], { stdin: 'long-enough-pw' });
    expect(result.code).toBe(1);
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
    expect(count('select count(*) n from calls')).toBe(2);
    expect(count("select count(*) n from call_custom_field_values where value = 'Paid'")).toBe(1);
  });

  it('creates multiselect and boolean fields and imports their values (a list, a JSON boolean)', async () => {
    const channels = await runCli(['fields', 'create', '--name', 'Channels', '--type', 'multiselect', '--options', 'Email,Phone,Letter', '--db', db]);
    expect(JSON.parse(channels.stdout)).toMatchObject({ name: 'Channels', type: 'multiselect', options: ['Email', 'Phone', 'Letter'] });
    await runCli(['fields', 'create', '--name', 'Callback', '--type', 'boolean', '--db', db]);
    const line = call(ID(1), { custom_fields: [{ name: 'Channels', value: ['Letter', 'Email'] }, { name: 'Callback', value: true }] });
    const result = await runCli(['calls', 'import', '-', '--db', db], { stdin: line });
    expect(result.code, result.stderr).toBe(0);
    expect(count(`select count(*) n from call_custom_field_values where value = '["Email","Letter"]'`)).toBe(1);
    expect(count("select count(*) n from call_custom_field_values where value = 'true'")).toBe(1);
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
    expect(count('select count(*) n from calls')).toBe(0);
  });

  it('seed --demo creates users, the vendor fields and 1,000 calls, and prints the credentials', async () => {
    const result = await runCli(['seed', '--demo', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    const seeded = JSON.parse(result.stdout);
    expect(seeded.users.map((u: { username: string }) => u.username)).toEqual(['admin', 'editor', 'viewer']);
    expect(seeded.users.every((u: { password: string }) => u.password.length >= 16)).toBe(true);
    expect(seeded.calls).toBe(1000);
    expect(count('select count(*) n from calls')).toBe(1000);
    expect(count("select count(*) n from custom_fields where field_id in ('138fb20c-4c3b-11ee-8cbb-0015172d2a7d', '9079d60a-5192-11ee-aa89-0015172d2a7d') and name in ('Payment status', 'Call type')")).toBe(2);
    const again = await runCli(['seed', '--demo', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('needs a fresh database');
  });

  it('a bad environment variable stops start-up naming the variable', async () => {
    const result = await runCli(['serve', '--db', db], { env: { PORT: 'eighty', LOG_LEVEL: 'loud' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT="eighty"');
    expect(result.stderr).toContain('LOG_LEVEL="loud"');
  });
});
