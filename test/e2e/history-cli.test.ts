import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliServer } from '../support/cli.js';
import { freshDatabaseUrl, onPostgres, queryDatabase, STORE_UNDER_TEST } from '../support/database.js';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const call = (id: string, customFields: { name: string; value: string }[] = []) =>
  JSON.stringify({ call_id: id, setup_time: '2026-03-01T12:00:00Z', from_number: '+1', to_number: '+2', direction: 'inbound', duration: 1, custom_fields: customFields });
const PASSWORD = 'long-enough-pw';

async function cli(args: string[], db: string, stdin?: string) {
  const result = await runCli([...args, '--db', db], { stdin });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** The JSON lines `history` or `changes` printed. */
const lines = (stdout: string) => stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
const sequences = (stdout: string) => lines(stdout).map((record) => record.sequence);

async function put(url: string, path: string, authorization: string, body: unknown) {
  const response = await fetch(`${url}${path}`, { method: 'PUT', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.headers.get('x-request-id');
}

/**
 * One database for the file: tenant "default" with two fields and two calls
 * (call 1 imported with Payment status Unknown, then changed over REST by
 * user ed: Paid with a token, then Notes with a password, Paid again being
 * no change; then Payment status renamed Billing), tenant "other" with one
 * call and a value of its own.
 */
describe(`callgate history and changes (${STORE_UNDER_TEST})`, { timeout: 60_000 }, () => {
  let db: string;
  let paymentStatus: string;
  let tokenId: string;
  const requestIds: (string | null)[] = [];

  beforeAll(async () => {
    db = await freshDatabaseUrl();
    paymentStatus = JSON.parse(await cli(['fields', 'create', '--name', 'Payment status', '--type', 'option', '--options', 'Unknown,Paid'], db)).field_id;
    await cli(['fields', 'create', '--name', 'Notes', '--type', 'text'], db);
    await cli(['tenants', 'create', '--name', 'other'], db);
    await cli(['fields', 'create', '--name', 'Secret', '--type', 'text', '--tenant', 'other'], db);
    await cli(['calls', 'import', '-'], db, [call(ID(1), [{ name: 'Payment status', value: 'Unknown' }]), call(ID(2))].join('\n'));
    await cli(['calls', 'import', '-', '--tenant', 'other'], db, call(ID(3), [{ name: 'Secret', value: 'hidden' }]));
    await cli(['users', 'create', '--username', 'ed', '--role', 'admin', '--password-stdin'], db, PASSWORD);
    const token = JSON.parse(await cli(['tokens', 'create', '--username', 'ed'], db));
    tokenId = token.id;
    const server = startCliServer(['--db', db]);
    try {
      const url = await server.url;
      const bearer = `Bearer ${token.token}`;
      requestIds.push(await put(url, `/api/v2/calls/${ID(1)}.json`, bearer, { call: { custom_fields: [{ name: 'Payment status', value: 'Paid' }] } }));
      const basic = `Basic ${Buffer.from(`ed:${PASSWORD}`).toString('base64')}`;
      const both = [{ name: 'Payment status', value: 'Paid' }, { name: 'Notes', value: 'hello' }];
      requestIds.push(await put(url, `/api/v2/calls/${ID(1)}.json`, basic, { call: { custom_fields: both } }));
      await put(url, `/api/v2/custom_fields/${paymentStatus}.json`, bearer, { custom_field: { name: 'Billing' } });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 120_000);

  it('history --call prints the call\'s records newest first, one JSON object per line, with who, how and from where', async () => {
    const stdout = await cli(['history', '--call', ID(1)], db);
    const [notes, paid, imported] = lines(stdout);
    expect(lines(stdout)).toHaveLength(3);
    expect(notes).toEqual({
      sequence: 3,
      change_set_id: expect.any(String),
      call_id: ID(1),
      field_id: expect.any(String),
      field_name: 'Notes',
      kind: 'set',
      old_value: null,
      new_value: 'hello',
      call_version: 3,
      actor: { type: 'api_user', user_id: expect.any(String), username: 'ed', token_id: null },
      channel: 'rest',
      request_id: requestIds[1],
      client_address: '127.0.0.1',
      committed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(paid).toMatchObject({ sequence: 2, field_id: paymentStatus, old_value: 'Unknown', new_value: 'Paid', call_version: 2, channel: 'rest', request_id: requestIds[0] });
    expect(paid!.actor).toMatchObject({ username: 'ed', token_id: tokenId });
    expect(imported).toMatchObject({ sequence: 1, field_name: 'Payment status', old_value: null, new_value: 'Unknown', channel: 'import', request_id: null });
    expect(imported!.actor).toEqual({ type: 'cli', user_id: null, username: 'cli', token_id: null });
  });

  it('history narrows by --limit and by --field: an id, or a name now or before a rename, in any case', async () => {
    expect(sequences(await cli(['history', '--call', ID(1), '--limit', '2'], db))).toEqual([3, 2]);
    expect(sequences(await cli(['history', '--call', ID(1), '--field', 'billing'], db))).toEqual([2, 1]);
    expect(sequences(await cli(['history', '--call', ID(1), '--field', 'payment STATUS'], db))).toEqual([2, 1]);
    expect(sequences(await cli(['history', '--call', ID(1), '--field', paymentStatus.toUpperCase()], db))).toEqual([2, 1]);
    expect(await cli(['history', '--call', ID(1), '--field', 'Nope'], db)).toBe('');
  });

  it('changes prints the tenant\'s records after a sequence number, oldest first', async () => {
    const all = await cli(['changes'], db);
    expect(sequences(all)).toEqual([1, 2, 3]);
    expect(lines(all).map((record) => record.new_value)).toEqual(['Unknown', 'Paid', 'hello']);
    expect(sequences(await cli(['changes', '--after', '1', '--limit', '1'], db))).toEqual([2]);
    expect(await cli(['changes', '--after', '3'], db)).toBe('');
  });

  it("never prints another tenant's records", async () => {
    const other = lines(await cli(['changes', '--tenant', 'other'], db));
    expect(other).toMatchObject([{ sequence: 1, call_id: ID(3), field_name: 'Secret', new_value: 'hidden' }]);
    expect(await cli(['history', '--call', ID(3)], db)).toBe('');
    expect(await cli(['history', '--call', ID(1), '--tenant', 'other'], db)).toBe('');
  });

  it.concurrent.each([
    [['history'], '--call is required'],
    [['history', '--call', 'not-a-uuid'], '--call must be a UUID'],
    [['history', '--call', ID(1), '--limit', '1001'], '--limit must be a whole number from 1 to 1000'],
    [['history', '--call', ID(1), '--field', ' '], '--field must name a field'],
    [['changes', '--limit', '0'], '--limit must be a whole number from 1 to 10000'],
    [['changes', '--after', '1.5'], '--after must be a sequence number'],
    [['history', '--call', ID(1), '--tenant', 'nope'], 'Unknown tenant "nope"'],
  ])('%j fails with one line on stderr saying why: exit code 2 for a usage error, 1 for an unknown tenant', async (args, message) => {
    const result = await runCli([...args, '--db', db]);
    expect(result.code).toBe(message.startsWith('Unknown tenant') ? 1 : 2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });
});

/** Sets every record's commit time, behind callgate's back. */
async function backdateChanges(db: string, committedAt: string) {
  const statement = `update call_changes set committed_at = '${committedAt}'`;
  if (onPostgres) return void (await queryDatabase(db, statement));
  const { default: Database } = await import('better-sqlite3');
  const sqlite = new Database(db, { fileMustExist: true });
  try {
    sqlite.prepare(statement).run();
  } finally {
    sqlite.close();
  }
}

describe(`callgate serve with HISTORY_RETENTION_DAYS (${STORE_UNDER_TEST})`, { timeout: 60_000 }, () => {
  let server: ReturnType<typeof startCliServer> | undefined;
  afterAll(() => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  });

  it('deletes records older than the retention at start, logs how many, and stops with the server', async () => {
    const db = await freshDatabaseUrl();
    await cli(['fields', 'create', '--name', 'Notes', '--type', 'text'], db);
    await cli(['calls', 'import', '-'], db, [call(ID(1), [{ name: 'Notes', value: 'old secret' }]), call(ID(2), [{ name: 'Notes', value: 'recent' }])].join('\n'));
    await backdateChanges(db, '2020-01-01T00:00:00.000Z');
    await cli(['calls', 'import', '-'], db, call(ID(4), [{ name: 'Notes', value: 'new' }]));

    server = startCliServer(['--db', db], { HISTORY_RETENTION_DAYS: '30', LOG_LEVEL: 'info' });
    await server.url;
    const logged = () => server!.stderr().split('\n').filter((line) => line.includes('retention'));
    await expect.poll(logged, { timeout: 10_000 }).toHaveLength(1);
    expect(JSON.parse(logged()[0]!)).toMatchObject({ level: 30, deleted: 2 });
    expect(server.stderr()).not.toContain('secret');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    expect(lines(await cli(['changes'], db))).toMatchObject([{ sequence: 3, call_id: ID(4), new_value: 'new' }]);
  });
});
