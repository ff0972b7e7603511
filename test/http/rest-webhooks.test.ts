import { describe, expect, it } from 'vitest';
import { STORE_UNDER_TEST } from '../support/database.js';
import { createTestApp, FIELD } from '../support/fixtures.js';

const LOCAL = { allowHttpHosts: ['127.0.0.1'], allowPrivate: true };
const UNKNOWN = '0d000000-0000-4000-8000-00000000000f';

describe(`REST webhook resources (${STORE_UNDER_TEST})`, () => {
  it('POST /api/v2/webhooks.json answers 201 with the webhook, its secret once and its Location; GET reads it back without the secret', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const created = await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', body: { webhook: { url: 'http://127.0.0.1:9/hook', fields: ['Call type', FIELD.amount] } } });
    expect(created.status).toBe(201);
    const { webhook, secret } = created.json;
    expect(secret).toMatch(/^whsec_/);
    expect(webhook).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: 'http://127.0.0.1:9/hook',
      enabled: true,
      fields: [FIELD.callType, FIELD.amount],
      disabled_reason: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(created.headers.get('location')).toBe(`/api/v2/webhooks/${webhook.id}.json`);
    const one = await t.rest('GET', `/api/v2/webhooks/${webhook.id}.json`, { as: 'admin' });
    expect(one.json).toEqual({ webhook });
    const list = await t.rest('GET', '/api/v2/webhooks.json', { as: 'admin' });
    expect(list.json).toEqual({ webhooks: [webhook] });
    expect(list.text).not.toContain(secret);
  });

  it('refuses other roles (403), bad bodies (400 with details by attribute) and unknown ids (404), writing nothing', async () => {
    const t = await createTestApp();
    expect((await t.rest('GET', '/api/v2/webhooks.json', { as: 'editor' })).json).toEqual({ error: 'Forbidden', description: 'API user has no permission to administer webhooks' });
    expect((await t.rest('POST', '/api/v2/webhooks.json', { as: 'viewer', body: { webhook: { url: 'https://hooks.example.com/' } } })).status).toBe(403);
    const refused = await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', body: { webhook: { url: 'http://10.0.0.1/x', fields: ['No such'], colour: 'red' } } });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ error: 'InvalidRecord', description: 'Record Validation errors', details: { colour: 'Unknown attribute; expected one of url, fields, enabled' } });
    const invalid = await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', body: { webhook: { url: 'http://10.0.0.1/x', fields: ['No such'] } } });
    expect(invalid.json.details).toEqual({ url: 'must use https:// (plain http only for hosts in WEBHOOK_ALLOW_HTTP_HOSTS)', 'fields.0': 'Unknown custom field' });
    expect((await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', body: { webhook: {} } })).json.details).toEqual({ url: 'URL is required' });
    expect((await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', raw: '{"webhook":', headers: { 'content-type': 'application/json' } })).json.error).toBe('InvalidJSON');
    expect((await t.rest('GET', `/api/v2/webhooks/${UNKNOWN}.json`, { as: 'admin' })).status).toBe(404);
    expect((await t.rest('DELETE', `/api/v2/webhooks/${UNKNOWN}.json`, { as: 'admin' })).json).toEqual({ error: 'NotFound', description: 'Webhook endpoint not found' });
    expect((await t.rest('POST', `/api/v2/webhook_deliveries/${UNKNOWN}/redeliver.json`, { as: 'admin' })).status).toBe(404);
    expect((await t.rest('GET', '/api/v2/webhooks.json', { as: 'admin' })).json).toEqual({ webhooks: [] });
  });

  it('PUT changes what is sent and keeps the rest; DELETE removes it', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const { webhook } = (await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', body: { webhook: { url: 'http://127.0.0.1:9/a', fields: ['Notes'] } } })).json;
    const put = await t.rest('PUT', `/api/v2/webhooks/${webhook.id}.json`, { as: 'admin', body: { webhook: { enabled: false } } });
    expect(put.status).toBe(200);
    expect(put.json.webhook).toMatchObject({ url: 'http://127.0.0.1:9/a', enabled: false, fields: [FIELD.notes] });
    const all = await t.rest('PUT', `/api/v2/webhooks/${webhook.id}.json`, { as: 'admin', body: { webhook: { fields: null, enabled: true } } });
    expect(all.json.webhook).toMatchObject({ enabled: true, fields: null });
    const deleted = await t.rest('DELETE', `/api/v2/webhooks/${webhook.id}.json`, { as: 'admin' });
    expect(deleted.json.webhook.id).toBe(webhook.id);
    expect((await t.rest('GET', `/api/v2/webhooks/${webhook.id}.json`, { as: 'admin' })).status).toBe(404);
  });

  it('rotate_secret answers a new secret; test queues a test event; deliveries pages newest first; redeliver makes one pending again', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const { webhook, secret } = (await t.rest('POST', '/api/v2/webhooks.json', { as: 'admin', body: { webhook: { url: 'http://127.0.0.1:9/a' } } })).json;
    const rotated = await t.rest('POST', `/api/v2/webhooks/${webhook.id}/rotate_secret.json?overlap_seconds=60`, { as: 'admin' });
    expect(rotated.status).toBe(200);
    expect(rotated.json).toMatchObject({ webhook: { id: webhook.id }, secret: expect.stringMatching(/^whsec_/), previous_secret_expires_at: '2026-01-02T03:05:05.000Z' });
    expect(rotated.json.secret).not.toBe(secret);
    expect((await t.rest('POST', `/api/v2/webhooks/${webhook.id}/rotate_secret.json?overlap_seconds=soon`, { as: 'admin' })).json.error).toBe('InvalidParameter');

    const queued = [];
    for (let i = 0; i < 3; i++) {
      const sent = await t.rest('POST', `/api/v2/webhooks/${webhook.id}/test.json`, { as: 'admin' });
      expect(sent.status).toBe(202);
      queued.push(sent.json.delivery);
    }
    expect(queued[0]).toMatchObject({ type: 'webhook.test', call_id: null, cursor: null, status: 'pending', attempts: [], event_id: expect.stringMatching(/_test1$/) });
    expect(queued.map((d) => d.event_id.replace(/^.*_/, ''))).toEqual(['test1', 'test2', 'test3']);

    const first = await t.rest('GET', `/api/v2/webhooks/${webhook.id}/deliveries.json?limit=2`, { as: 'admin' });
    expect(first.json.deliveries).toHaveLength(2);
    expect(first.json.next_url).toMatch(new RegExp(`^/api/v2/webhooks/${webhook.id}/deliveries\\.json\\?limit=2&after=`));
    const second = await t.rest('GET', first.json.next_url, { as: 'admin' });
    expect(second.json.next_url).toBeNull();
    expect([...first.json.deliveries, ...second.json.deliveries].map((d: { id: string }) => d.id).sort()).toEqual(queued.map((d) => d.id).sort());
    expect((await t.rest('GET', `/api/v2/webhooks/${webhook.id}/deliveries.json?after=${UNKNOWN}`, { as: 'admin' })).json).toEqual({
      error: 'InvalidParameter',
      description: `after: "${UNKNOWN}" is not a delivery of this endpoint`,
    });
    expect((await t.rest('GET', `/api/v2/webhooks/${webhook.id}/deliveries.json?limit=1000`, { as: 'admin' })).json).toEqual({
      error: 'InvalidParameter',
      description: 'limit must be a whole number from 1 to 100, got "1000"',
    });

    await t.sql(`update webhook_deliveries set status = 'failed', finished_at = created_at where id = ?`, queued[0].id);
    const again = await t.rest('POST', `/api/v2/webhook_deliveries/${queued[0].id}/redeliver.json`, { as: 'admin' });
    expect(again.status).toBe(202);
    expect(again.json.delivery).toMatchObject({ id: queued[0].id, event_id: queued[0].event_id, status: 'pending', finished_at: null });
  });
});
