import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliServer } from '../support/cli.js';
import { freshDatabaseUrl, STORE_UNDER_TEST } from '../support/database.js';

const PAYMENT_STATUS = '138fb20c-4c3b-11ee-8cbb-0015172d2a7d';
const CALL_ID = '0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3';

describe(`the real callgate server, set up and driven through its CLI (${STORE_UNDER_TEST})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-e2e-'));
  let db: string;
  let server: ReturnType<typeof startCliServer>;
  let url: string;
  let token: string;
  const password = 'e2e-password-1';
  const basic = `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;

  beforeAll(async () => {
    db = await freshDatabaseUrl();
    expect((await runCli(['migrate', '--db', db])).code).toBe(0);
    const user = await runCli(['users', 'create', '--db', db, '--username', 'ops', '--role', 'editor', '--password-stdin'], { stdin: `${password}\n` });
    expect(user.code, user.stderr).toBe(0);
    token = JSON.parse((await runCli(['tokens', 'create', '--db', db, '--username', 'ops'])).stdout).token;
    const field = await runCli(['fields', 'create', '--db', db, '--name', 'Payment status', '--type', 'option', '--options', 'Unknown,Paid', '--id', PAYMENT_STATUS]);
    expect(field.code, field.stderr).toBe(0);
    const file = join(dir, 'calls.jsonl');
    writeFileSync(file, `${JSON.stringify({ call_id: CALL_ID, setup_time: '2026-03-01T12:00:00Z', from_number: '+1', to_number: '+2', direction: 'inbound', duration: 42 })}\n`);
    const imported = await runCli(['calls', 'import', file, '--db', db]);
    expect(JSON.parse(imported.stdout)).toEqual({ imported: 1, tenant: 'default' });
    server = startCliServer(['--db', db]);
    url = await server.url;
  }, 60_000);

  afterAll(() => {
    server?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets a custom field over REST with Basic auth and reads it back over GraphQL with a token', async () => {
    const put = await fetch(`${url}/api/v2/calls/${CALL_ID}.json`, {
      method: 'PUT',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ call: { custom_fields: [{ field_id: PAYMENT_STATUS, name: 'ignored', value: 'Unknown' }] } }),
    });
    expect(put.status).toBe(200);
    expect(await put.text()).toBe(
      JSON.stringify({
        call: {
          call_id: CALL_ID,
          setup_time: '2026-03-01T12:00:00.000Z',
          from_number: '+1',
          to_number: '+2',
          direction: 'inbound',
          duration: 42,
          custom_fields: [{ field_id: PAYMENT_STATUS, name: 'Payment status', value: 'Unknown' }],
        },
      }),
    );
    const query = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ call(id: "${CALL_ID}") { version customFields { name value updatedBy } } }` }),
    });
    expect(await query.json()).toEqual({
      data: { call: { version: 2, customFields: [{ name: 'Payment status', value: 'Unknown', updatedBy: 'ops' }] } },
    });
  });

  it('refuses anonymous requests with a Basic challenge', async () => {
    const response = await fetch(`${url}/api/v2/calls/${CALL_ID}.json`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="callgate"');
  });

  it('answers 413 over the Node path for a body over 1 MiB, declared or chunked, and keeps serving', async () => {
    const big = 'x'.repeat(1024 * 1024 + 1);
    const declared = await fetch(`${url}/api/v2/calls/${CALL_ID}.json`, {
      method: 'PUT',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: 'PayloadTooLarge', description: 'Request body is larger than 1048576 bytes' });
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const chunked = await fetch(`${url}/api/v2/calls/${CALL_ID}.json`, {
      method: 'PUT',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const after = await fetch(`${url}/api/v2/calls/${CALL_ID}.json`, { headers: { authorization: basic } });
    expect(after.status).toBe(200);
  });

  it('answers InvalidJSON over the Node path with where the JSON breaks', async () => {
    const response = await fetch(`${url}/api/v2/calls/${CALL_ID}.json`, {
      method: 'PUT',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: '{\n"call" {\n"custom_fields": []}}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'InvalidJSON',
      description: "Invalid JSON at line 2, column 8: Expected ':' after property name, found '{'",
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
