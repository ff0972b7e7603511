import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookWorker } from '../../src/http/webhook-worker.js';
import { createApp } from '../../src/http/app.js';
import { onPostgres, STORE_UNDER_TEST } from '../support/database.js';
import { serve } from '../support/http.js';
import { CALL, createTestApp, createWorld, FIELD, NOW } from '../support/fixtures.js';
import { receiver } from '../support/webhooks.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'admin' | 'editor' | 'viewer' | 'otherEditor';

const LOCAL = { allowHttpHosts: ['127.0.0.1'], allowPrivate: true };
const RESULT = `__typename ... on Error { message ... on InvalidRecordError { details { path message } } }`;
const ENDPOINT = 'id url enabled disabledReason fields { id name }';
const CREATE = `mutation($url: String!, $fields: [CustomFieldRef!], $enabled: Boolean) {
  createWebhookEndpoint(url: $url, fields: $fields, enabled: $enabled) { ${RESULT} ... on CreateWebhookEndpointSuccess { secret endpoint { ${ENDPOINT} } } }
}`;
const UPDATE = `mutation($id: ID!, $url: String, $fields: [CustomFieldRef!], $enabled: Boolean) {
  updateWebhookEndpoint(id: $id, url: $url, fields: $fields, enabled: $enabled) { ${RESULT} ... on WebhookEndpointSuccess { endpoint { ${ENDPOINT} } } }
}`;
const DELETE = `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { ${RESULT} ... on WebhookEndpointSuccess { endpoint { id } } } }`;
const ROTATE = `mutation($id: ID!, $overlap: Int) {
  rotateWebhookSecret(id: $id, overlapSeconds: $overlap) { ${RESULT} ... on RotateWebhookSecretSuccess { secret previousSecretExpiresAt endpoint { id } } }
}`;
const DELIVERY = 'id eventId type callId cursor status nextAttemptAt lastError attempts { attempt statusCode error durationMs }';
const TEST_EVENT = `mutation($id: ID!) { sendWebhookTestEvent(id: $id) { ${RESULT} ... on WebhookDeliverySuccess { delivery { ${DELIVERY} } } } }`;
const REDELIVER = `mutation($id: ID!) { redeliverWebhookEvent(deliveryId: $id) { ${RESULT} ... on WebhookDeliverySuccess { delivery { ${DELIVERY} } } } }`;
const ENDPOINTS = `query($first: Int, $after: String) {
  webhookEndpoints { ${ENDPOINT} deliveries(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { ${DELIVERY} } } } }
}`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function run(t: App, query: string, variables: Record<string, unknown>, as: Who = 'admin') {
  const { status, body } = await t.graphql(query, variables, as);
  expect(body.errors).toBeUndefined();
  expect(status).toBe(200);
  return Object.values(body.data as Record<string, any>)[0];
}

const FORBIDDEN = { __typename: 'ForbiddenError', message: 'API user has no permission to administer webhooks' };

describe(`webhook administration over GraphQL (${STORE_UNDER_TEST})`, () => {
  it('createWebhookEndpoint answers the endpoint and its secret once; the list shows it without the secret, sealed at rest', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const created = await run(t, CREATE, { url: 'http://127.0.0.1:9/hook', fields: [{ name: 'Call type' }, { fieldId: FIELD.amount.toUpperCase(), name: 'ignored' }] });
    expect(created).toEqual({
      __typename: 'CreateWebhookEndpointSuccess',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
      endpoint: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        url: 'http://127.0.0.1:9/hook',
        enabled: true,
        disabledReason: null,
        fields: [
          { id: FIELD.callType, name: 'Call type' },
          { id: FIELD.amount, name: 'Amount' },
        ],
      },
    });
    const listed = await run(t, ENDPOINTS, {});
    expect(listed).toEqual([{ ...created.endpoint, deliveries: { pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } }]);
    expect(JSON.stringify(await t.sql('select * from webhook_endpoints'))).not.toContain(created.secret.slice(6));
    expect(await t.webhooks.signingSecrets(created.endpoint.id, new Date().toISOString())).toEqual([created.secret]);
  });

  it('refuses other roles: ForbiddenError from the mutations, a FORBIDDEN error beside a null list', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    for (const who of ['editor', 'viewer'] as const) {
      expect(await run(t, CREATE, { url: 'http://127.0.0.1:9/hook' }, who)).toEqual(FORBIDDEN);
      const { body } = await t.graphql('{ webhookEndpoints { id } }', {}, who);
      expect(body).toMatchObject({ data: { webhookEndpoints: null }, errors: [{ message: FORBIDDEN.message, extensions: { code: 'FORBIDDEN' } }] });
    }
    expect(await t.sql('select id from webhook_endpoints')).toEqual([]);
  });

  it('refuses a plain http URL, a private address unless the operator allows it, and unknown fields, each at its path, storing nothing', async () => {
    const t = await createTestApp();
    expect(await run(t, CREATE, { url: 'http://hooks.example.com/x' })).toEqual({
      __typename: 'InvalidRecordError',
      message: 'Record Validation errors',
      details: [{ path: 'url', message: 'must use https:// (plain http only for hosts in WEBHOOK_ALLOW_HTTP_HOSTS)' }],
    });
    expect((await run(t, CREATE, { url: 'https://10.1.2.3/x' })).details).toEqual([
      { path: 'url', message: '10.1.2.3 is a private, loopback or link-local address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)' },
    ]);
    expect((await run(t, CREATE, { url: 'https://[::1]/x' })).__typename).toBe('InvalidRecordError');
    expect((await run(t, CREATE, { url: 'https://hooks.example.com/x', fields: [{ name: 'No such' }, { fieldId: FIELD.otherTenant }] })).details).toEqual([
      { path: 'fields.0.name', message: 'Unknown custom field' },
      { path: 'fields.1.fieldId', message: 'Unknown custom field' },
    ]);
    expect(await t.sql('select id from webhook_endpoints')).toEqual([]);
  });

  it('updateWebhookEndpoint changes what is given, null fields means every field; another tenant\'s endpoint is not found', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const { endpoint } = await run(t, CREATE, { url: 'http://127.0.0.1:9/a', fields: [{ name: 'Notes' }] });
    const disabled = await run(t, UPDATE, { id: endpoint.id, enabled: false });
    expect(disabled.endpoint).toEqual({ ...endpoint, enabled: false });
    const moved = await run(t, UPDATE, { id: endpoint.id, url: 'http://127.0.0.1:9/b', fields: null, enabled: true });
    expect(moved.endpoint).toEqual({ ...endpoint, url: 'http://127.0.0.1:9/b', fields: null });
    expect((await run(t, UPDATE, { id: endpoint.id, url: 'ftp://127.0.0.1/x' })).details).toEqual([{ path: 'url', message: 'must use https://' }]);
    expect(await run(t, UPDATE, { id: endpoint.id, enabled: false }, 'otherEditor')).toEqual(FORBIDDEN);
    expect(await run(t, UPDATE, { id: '0d000000-0000-4000-8000-00000000000f', enabled: false })).toEqual({ __typename: 'NotFoundError', message: 'Webhook endpoint not found' });
    expect((await run(t, ENDPOINTS, {}))[0]).toMatchObject({ url: 'http://127.0.0.1:9/b', enabled: true, fields: null });
  });

  it('deleteWebhookEndpoint removes it; deleting again is not found', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const { endpoint } = await run(t, CREATE, { url: 'http://127.0.0.1:9/a' });
    expect(await run(t, DELETE, { id: endpoint.id })).toEqual({ __typename: 'WebhookEndpointSuccess', endpoint: { id: endpoint.id } });
    expect(await run(t, DELETE, { id: endpoint.id })).toEqual({ __typename: 'NotFoundError', message: 'Webhook endpoint not found' });
    expect(await run(t, DELETE, { id: 'not-a-uuid' })).toMatchObject({ __typename: 'NotFoundError' });
    expect(await run(t, ENDPOINTS, {})).toEqual([]);
  });

  it('rotateWebhookSecret answers a new secret; both sign until the overlap ends', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    const { endpoint, secret } = await run(t, CREATE, { url: 'http://127.0.0.1:9/a' });
    const rotated = await run(t, ROTATE, { id: endpoint.id, overlap: 3600 });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    // The app's clock stands at NOW.
    expect(rotated.previousSecretExpiresAt).toBe(new Date(Date.parse(NOW) + 3_600_000).toISOString());
    expect(await t.webhooks.signingSecrets(endpoint.id, NOW)).toEqual([rotated.secret, secret]);
    expect(await t.webhooks.signingSecrets(endpoint.id, new Date(Date.parse(rotated.previousSecretExpiresAt) + 1).toISOString())).toEqual([rotated.secret]);
    expect((await run(t, ROTATE, { id: endpoint.id, overlap: -1 })).details).toEqual([{ path: 'overlapSeconds', message: 'Must be from 0 to 604800 seconds' }]);
  });

  it('a test event and a change are delivered signed; deliveries list them with their attempts, newest first; redelivery sends the same event id again', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    let secret = '';
    const hook = await receiver(() => secret, 0, 0);
    cleanups.push(hook.close);
    const created = await run(t, CREATE, { url: hook.url, fields: [{ name: 'Notes' }] });
    secret = created.secret;
    const id = created.endpoint.id;

    const test = await run(t, TEST_EVENT, { id });
    expect(test.delivery).toMatchObject({ type: 'webhook.test', callId: null, cursor: null, status: 'PENDING', attempts: [] });
    const put = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ name: 'Notes', value: 'hello' }, { name: 'Call type', value: 'Sales' }] } } });
    expect(put.status).toBe(200);

    const worker = new WebhookWorker({ store: t.store, webhooks: t.webhooks, policy: LOCAL, pollMs: 50, firstRetryMs: 20, onAttempt: t.app.metrics.observeWebhookAttempt });
    worker.start();
    cleanups.push(() => worker.stop());
    await until(() => hook.receipts.length === 2);
    expect(hook.receipts.every((r) => r.verified && r.accepted)).toBe(true);
    const isTest = (r: (typeof hook.receipts)[number]) => (r.event.type as string) === 'webhook.test';
    const [testReceipt, change] = [...hook.receipts].sort((a, b) => Number(isTest(b)) - Number(isTest(a)));
    expect(testReceipt!.event).toMatchObject({ id: test.delivery.eventId, type: 'webhook.test', endpoint_id: id });
    expect(change!.event).toMatchObject({
      type: 'call.custom_fields.changed',
      call_id: CALL.first,
      changes: [{ field_id: FIELD.notes, field_name: 'Notes', new_value: 'hello' }],
      call: { custom_fields: [{ field_id: FIELD.notes, name: 'Notes', value: 'hello' }] },
    });
    expect(() => new Webhook(secret).verify(JSON.stringify(change!.event), { 'webhook-id': 'x', 'webhook-timestamp': '1', 'webhook-signature': 'v1,bad' })).toThrow();

    await until(async () => (await run(t, ENDPOINTS, {}))[0].deliveries.edges.every((e: any) => e.node.status === 'DELIVERED'));
    const page = (await run(t, ENDPOINTS, { first: 1 }))[0].deliveries;
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges).toHaveLength(1);
    const older = (await run(t, ENDPOINTS, { first: 5, after: page.pageInfo.endCursor }))[0].deliveries;
    expect(older.pageInfo.hasNextPage).toBe(false);
    const unknownCursor = await t.graphql(ENDPOINTS, { after: '0d000000-0000-4000-8000-00000000000f' }, 'admin');
    expect(unknownCursor.body.errors?.[0]).toMatchObject({
      message: 'after: "0d000000-0000-4000-8000-00000000000f" is not a delivery of this endpoint',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const all = [...page.edges, ...older.edges].map((e: any) => e.node);
    expect(all.map((d: any) => d.type).sort()).toEqual(['call.custom_fields.changed', 'webhook.test']);
    const changeDelivery = all.find((d: any) => d.type === 'call.custom_fields.changed');
    expect(changeDelivery).toMatchObject({ callId: CALL.first, eventId: change!.event.id, status: 'DELIVERED', nextAttemptAt: null, attempts: [{ attempt: 1, statusCode: 204, error: null }] });

    const again = await run(t, REDELIVER, { id: changeDelivery.id });
    expect(again.delivery).toMatchObject({ id: changeDelivery.id, status: 'PENDING' });
    await until(() => hook.receipts.length === 3);
    expect(hook.receipts[2]!.webhookId).toBe(change!.event.id);
    expect(await run(t, REDELIVER, { id: changeDelivery.id }, 'editor')).toEqual(FORBIDDEN);
    expect(await run(t, REDELIVER, { id: '0d000000-0000-4000-8000-00000000000f' })).toEqual({ __typename: 'NotFoundError', message: 'Webhook delivery not found' });
    expect(await run(t, TEST_EVENT, { id: '0d000000-0000-4000-8000-00000000000f' })).toEqual({ __typename: 'NotFoundError', message: 'Webhook endpoint not found' });

    // Metrics: attempts by outcome, and per endpoint what waits and for how long (nothing now).
    await until(async () => (await run(t, ENDPOINTS, {}))[0].deliveries.edges.every((e: any) => e.node.status === 'DELIVERED'));
    const scrape = async () => (await t.fetch(new Request('http://callgate.test/metrics'))).text();
    const metrics = await scrape();
    expect(metrics).toContain('callgate_webhook_attempts_total{outcome="delivered"} 3');
    expect(metrics).toContain(`callgate_webhook_pending_deliveries{endpoint="${id}"} 0`);
    expect(metrics).toContain(`callgate_webhook_lag_seconds{endpoint="${id}"} 0`);
    await worker.stop();
    await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ name: 'Notes', value: 'waiting' }] } } });
    await run(t, TEST_EVENT, { id });
    const waiting = await scrape();
    expect(waiting).toContain(`callgate_webhook_pending_deliveries{endpoint="${id}"} 1`);
    expect(waiting).toMatch(new RegExp(`callgate_webhook_lag_seconds\\{endpoint="${id}"\\} \\d`));
  }, 30_000);
});

async function until(condition: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.runIf(onPostgres)('webhooks on PostgreSQL without WEBHOOK_SECRET_KEY', () => {
  it('the app starts; GraphQL answers WEBHOOKS_UNAVAILABLE and REST 501, each saying what is missing', async () => {
    const world = await createWorld();
    const { fetch } = await serve(createApp({ store: world.store, logger: false }));
    const headers = { authorization: `Bearer ${world.tokens.admin}`, 'content-type': 'application/json' };
    const response = await fetch(new Request('http://callgate.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query: '{ webhookEndpoints { id } }' }) }));
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({
      message: 'Webhooks are unavailable: WEBHOOK_SECRET_KEY is required on PostgreSQL (32 bytes, base64 or hex)',
      extensions: { code: 'WEBHOOKS_UNAVAILABLE' },
    });
    const rest = await fetch(new Request('http://callgate.test/api/v2/webhooks.json', { headers }));
    expect(rest.status).toBe(501);
    expect(await rest.json()).toEqual({ error: 'NotImplemented', description: body.errors[0]!.message });
  });
});

