import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWebhook, listWebhookDeliveries, listWebhooks } from '../../src/cli/webhooks.js';
import { CommandFailure, UsageError } from '../../src/cli/errors.js';
import { freshDatabaseUrl, onPostgres, STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, TEST_WEBHOOK_KEY } from '../support/fixtures.js';

const DELIVERY = '0d000000-0000-4000-8000-000000000001';
import { webhookKeyFileFor } from '../../src/store/webhook-secrets.js';

const ALLOW = { env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1' } };
const STRICT = { env: { WEBHOOK_SECRET_KEY: TEST_WEBHOOK_KEY }, lookup: async (host: string) => (host === 'lan.example.com' ? ['192.168.1.20'] : ['93.184.216.34']) };

describe(`callgate webhooks (${STORE_UNDER_TEST})`, () => {
  it.skipIf(onPostgres)('create answers the endpoint id and a Standard Webhooks secret, stored sealed beside a generated key file', async () => {
    const path = await freshDatabaseUrl();
    const world = await createWorld({ url: path });
    const out = await createWebhook(world.store, { url: 'http://127.0.0.1:9999/hook', field: ['Call type', FIELD.amount] }, ALLOW);
    expect(out.endpoint).toMatchObject({ url: 'http://127.0.0.1:9999/hook', enabled: true, fields: [FIELD.callType, FIELD.amount] });
    expect(out.endpoint.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const [row] = await world.sql('select * from webhook_endpoints');
    expect(JSON.stringify(row)).not.toContain(out.secret.slice(6));
    expect(existsSync(webhookKeyFileFor(path))).toBe(true);
    expect(await world.store.webhooks!().signingSecrets(out.endpoint.id, new Date().toISOString())).toEqual([out.secret]);
  });

  it.runIf(onPostgres)('on PostgreSQL, create without WEBHOOK_SECRET_KEY fails saying it is required, and stores nothing', async () => {
    const world = await createWorld();
    await expect(createWebhook(world.store, { url: 'http://127.0.0.1:9999/hook' }, ALLOW)).rejects.toThrow(
      new CommandFailure('WEBHOOK_SECRET_KEY is required on PostgreSQL (32 bytes, base64 or hex)'),
    );
    expect(await world.sql('select id from webhook_endpoints')).toEqual([]);
  });

  it('list shows the tenant endpoints without secrets', async () => {
    const world = await createWorld();
    const a = await createWebhook(world.store, { url: 'https://hooks.example.com/a' }, STRICT);
    await createWebhook(world.store, { url: 'https://hooks.example.com/b', tenant: 'other' }, STRICT);
    const listed = await listWebhooks(world.store, {}, STRICT);
    expect(listed.endpoints).toEqual([a.endpoint]);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect(a.endpoint.fields).toBeNull();
  });

  it.each([
    ['http://hooks.example.com/x', /--url: must use https:\/\//],
    ['https://127.0.0.1/x', /private, loopback or link-local/],
    ['https://lan.example.com/x', /lan.example.com resolves to 192.168.1.20/],
    ['nope', /not an absolute URL/],
  ])('create refuses %s with a clear usage error and stores nothing', async (url, message) => {
    const world = await createWorld();
    await expect(createWebhook(world.store, { url }, STRICT)).rejects.toThrow(message);
    await expect(createWebhook(world.store, { url }, STRICT)).rejects.toBeInstanceOf(UsageError);
    expect(await world.sql('select id from webhook_endpoints')).toEqual([]);
  });

  it('create refuses an unknown field and stores nothing', async () => {
    const world = await createWorld();
    await expect(createWebhook(world.store, { url: 'https://hooks.example.com/', field: ['No such'] }, STRICT)).rejects.toThrow(
      '--field: no custom field "No such" in tenant "default"',
    );
    expect(await world.sql('select id from webhook_endpoints')).toEqual([]);
  });

  it('deliveries lists attempts with status codes and timings, and refuses an unknown endpoint', async () => {
    const world = await createWorld();
    const { endpoint } = await createWebhook(world.store, { url: 'https://hooks.example.com/' }, STRICT);
    expect(await listWebhookDeliveries(world.store, { endpoint: endpoint.id }, STRICT)).toEqual({ deliveries: [] });
    await world.sql(
      `insert into webhook_deliveries (id, endpoint_id, event_id, call_id, sequence, payload, status, attempts, next_attempt_at, created_at, finished_at)
       values (?, ?, 'evt_1', ?, 7, '{}', 'delivered', 2, '2026-12-03T07:00:00.000Z', '2026-12-03T07:00:00.000Z', '2026-12-03T07:00:06.000Z')`,
      DELIVERY,
      endpoint.id,
      CALL.first,
    );
    await world.sql(
      `insert into webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error) values
       (?, 1, '2026-12-03T07:00:00.000Z', 31, 500, 'HTTP 500'), (?, 2, '2026-12-03T07:00:05.000Z', 12, 204, null)`,
      DELIVERY,
      DELIVERY,
    );
    const { deliveries } = await listWebhookDeliveries(world.store, { endpoint: endpoint.id }, STRICT);
    expect(deliveries).toEqual([
      expect.objectContaining({
        event_id: 'evt_1',
        status: 'delivered',
        cursor: '7',
        attempts: [
          { attempt: 1, started_at: '2026-12-03T07:00:00.000Z', duration_ms: 31, status_code: 500, error: 'HTTP 500' },
          { attempt: 2, started_at: '2026-12-03T07:00:05.000Z', duration_ms: 12, status_code: 204, error: null },
        ],
      }),
    ]);
    await expect(listWebhookDeliveries(world.store, { endpoint: 'nope' }, STRICT)).rejects.toBeInstanceOf(CommandFailure);
    await expect(listWebhookDeliveries(world.store, { endpoint: endpoint.id, tenant: 'other' }, STRICT)).rejects.toThrow('Unknown webhook endpoint');
  });
});
