import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createWebhook,
  deleteWebhook,
  listWebhookDeliveries,
  listWebhooks,
  redeliverWebhook,
  rotateWebhookSecret,
  sendWebhookTest,
  updateWebhook,
} from '../../src/cli/webhooks.js';
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
    await expect(listWebhookDeliveries(world.store, { endpoint: endpoint.id, after: CALL.second }, STRICT)).rejects.toThrow(
      new UsageError(`--after: "${CALL.second}" is not a delivery of this endpoint`),
    );
    await expect(listWebhookDeliveries(world.store, { endpoint: endpoint.id, tenant: 'other' }, STRICT)).rejects.toThrow('Unknown webhook endpoint');
  });

  it('update changes what is given and keeps the rest; --all-fields clears the filter; delete removes it; unknown ids fail', async () => {
    const world = await createWorld();
    const { endpoint } = await createWebhook(world.store, { url: 'https://hooks.example.com/a', field: ['Notes'] }, STRICT);
    const disabled = await updateWebhook(world.store, { endpoint: endpoint.id, disable: true }, STRICT);
    expect(disabled.endpoint).toMatchObject({ url: 'https://hooks.example.com/a', enabled: false, fields: [FIELD.notes] });
    const moved = await updateWebhook(world.store, { endpoint: endpoint.id.toUpperCase(), url: 'https://hooks.example.com/b', allFields: true, enable: true }, STRICT);
    expect(moved.endpoint).toMatchObject({ url: 'https://hooks.example.com/b', enabled: true, fields: null });
    await expect(updateWebhook(world.store, { endpoint: endpoint.id, url: 'http://hooks.example.com/' }, STRICT)).rejects.toBeInstanceOf(UsageError);
    await expect(updateWebhook(world.store, { endpoint: endpoint.id, enable: true, disable: true }, STRICT)).rejects.toThrow('--enable and --disable cannot be given together');
    await expect(updateWebhook(world.store, { endpoint: endpoint.id, disable: true, tenant: 'other' }, STRICT)).rejects.toThrow(`Unknown webhook endpoint "${endpoint.id}"`);
    expect((await deleteWebhook(world.store, { endpoint: endpoint.id }, STRICT)).deleted.id).toBe(endpoint.id);
    await expect(deleteWebhook(world.store, { endpoint: endpoint.id }, STRICT)).rejects.toBeInstanceOf(CommandFailure);
    expect((await listWebhooks(world.store, {}, STRICT)).endpoints).toEqual([]);
  });

  it('rotate-secret prints a new secret and both sign for the overlap; test queues a test event; redeliver makes a delivery pending again', async () => {
    const world = await createWorld();
    const { endpoint, secret } = await createWebhook(world.store, { url: 'https://hooks.example.com/a' }, STRICT);
    const rotated = await rotateWebhookSecret(world.store, { endpoint: endpoint.id, overlapSeconds: 600 }, STRICT);
    expect(rotated.secret).toMatch(/^whsec_/);
    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    expect(await webhooks.signingSecrets(endpoint.id, new Date().toISOString())).toEqual([rotated.secret, secret]);
    await expect(rotateWebhookSecret(world.store, { endpoint: endpoint.id, overlapSeconds: NaN }, STRICT)).rejects.toThrow('--overlap-seconds must be a whole number from 0 to 604800');

    const { delivery } = await sendWebhookTest(world.store, { endpoint: endpoint.id }, STRICT);
    expect(delivery).toMatchObject({ type: 'webhook.test', call_id: null, cursor: null, status: 'pending', attempts: [] });
    await world.sql(`update webhook_deliveries set status = 'failed', finished_at = created_at where id = ?`, delivery.id);
    expect((await redeliverWebhook(world.store, { delivery: delivery.id }, STRICT)).delivery).toMatchObject({ id: delivery.id, status: 'pending', finished_at: null });
    await expect(redeliverWebhook(world.store, { delivery: delivery.id, tenant: 'other' }, STRICT)).rejects.toThrow(`Unknown webhook delivery "${delivery.id}"`);
    await expect(sendWebhookTest(world.store, { endpoint: DELIVERY }, STRICT)).rejects.toThrow('Unknown webhook endpoint');
  });
});
