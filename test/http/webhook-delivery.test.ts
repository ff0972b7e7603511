import { afterEach, describe, expect, it } from 'vitest';
import { createWebhook } from '../../src/cli/webhooks.js';
import { urlPolicyFrom, type WebhookEvent } from '../../src/core/webhooks.js';
import { WebhookWorker } from '../../src/http/webhook-worker.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createWorld, FIELD, TEST_WEBHOOK_KEY, type World } from '../support/fixtures.js';
import { receiver, writeNotesConcurrently } from '../support/webhooks.js';

/** Webhook delivery against a real receiver (support/webhook-receiver.ts). */

const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1', WEBHOOK_SECRET_KEY: TEST_WEBHOOK_KEY };
const FAST = { timeoutMs: 300, firstRetryMs: 20, maxRetryMs: 200, pollMs: 50, onError: (e: unknown) => console.error('webhook worker', e) };

const cleanups: (() => Promise<void>)[] = [];

/** Starts a delivery worker, stopped after the test. */
function startWorker(options: ConstructorParameters<typeof WebhookWorker>[0]): WebhookWorker {
  const worker = new WebhookWorker(options);
  worker.start();
  cleanups.push(() => worker.stop());
  return worker;
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe(`webhook delivery (${STORE_UNDER_TEST}, one process)`, () => {
  it('delivers every change set of 20 concurrent writers at least once despite 30% failures, signed, in order per call', async () => {
    const world = await createWorld();
    let secret = '';
    const hook = await receiver(() => secret, 0.2, 0.1);
    cleanups.push(hook.close);
    const created = await createWebhook(world.store, { url: hook.url }, { env: ENV });
    secret = created.secret;
    startWorker({ store: world.store, webhooks: world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY }), policy: urlPolicyFrom(ENV), ...FAST });

    await writeNotesConcurrently(world, 20, 5);
    const logged = await world.store.readChanges({ tenantId: world.tenantId, order: 'asc', afterSequence: 0, limit: 1000 });
    const changeSets = new Set(logged.filter((r) => r.fieldId === FIELD.notes && r.actor !== null).map((r) => r.changeSetId));
    expect(changeSets.size).toBe(100);

    await until(() => new Set(hook.receipts.filter((r) => r.accepted).map((r) => r.event.change_set_id)).size === changeSets.size);
    expect(hook.receipts.every((r) => r.verified)).toBe(true);
    expect(hook.receipts.filter((r) => !r.accepted).length).toBeGreaterThan(0);
    // Duplicates carry the same event id: one id per change set, whatever the number of tries.
    const idsBySet = new Map<string, Set<string>>();
    for (const r of hook.receipts) idsBySet.set(r.event.change_set_id, (idsBySet.get(r.event.change_set_id) ?? new Set()).add(r.webhookId));
    expect([...idsBySet.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(hook.receipts.every((r) => r.webhookId === r.event.id)).toBe(true);
    // Per-call order: a call's events are first accepted in log order.
    for (const callId of [CALL.first, CALL.second]) {
      const seen = new Set<string>();
      const firstAccepted = hook.receipts.filter((r) => r.accepted && r.event.call_id === callId && !seen.has(r.event.id) && seen.add(r.event.id)).map((r) => Number(r.event.cursor));
      expect(firstAccepted).toEqual([...firstAccepted].sort((a, b) => a - b));
      expect(firstAccepted.length).toBe(50);
    }
    const sample = hook.receipts[0]!.event;
    expect(sample).toMatchObject({ type: 'call.custom_fields.changed', tenant_id: world.tenantId, channel: 'graphql', actor: { username: 'editor' } });
    expect(sample.changes[0]).toMatchObject({ field_id: FIELD.notes, field_name: 'Notes' });
  }, 60_000);

  it('sends each event with the call\'s values right after its change set, even when later changes were made before it was sent', async () => {
    const world = await createWorld();
    let secret = '';
    const hook = await receiver(() => secret, 0, 0);
    cleanups.push(hook.close);
    secret = (await createWebhook(world.store, { url: hook.url }, { env: ENV })).secret;
    // Three changes of one call are in the log before the worker first looks.
    await writeNotesConcurrently(world, 1, 3);
    startWorker({ store: world.store, webhooks: world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY }), policy: urlPolicyFrom(ENV), ...FAST });
    await until(() => hook.receipts.length === 3);
    const notes = hook.receipts
      .map((r) => r.event)
      .sort((a, b) => Number(a.cursor) - Number(b.cursor))
      .map((e) => ({ call: e.call_id, version: e.call.version, notes: e.call.custom_fields.find((f) => f.field_id === FIELD.notes)?.value }));
    expect(notes.map((n) => n.notes)).toEqual(['w0-0', 'w0-1', 'w0-2']);
    expect(notes.map((n) => n.call)).toEqual([CALL.first, CALL.second, CALL.first]);
    expect(notes[2]!.version).toBe(notes[0]!.version + 1);
  });

  it('sends nothing to a disabled endpoint; enabled again, it receives the change sets made meanwhile', async () => {
    const world = await createWorld();
    let secret = '';
    const hook = await receiver(() => secret, 0, 0);
    cleanups.push(hook.close);
    const created = await createWebhook(world.store, { url: hook.url }, { env: ENV });
    secret = created.secret;
    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    await webhooks.updateEndpoint(world.tenantId, created.endpoint.id, { enabled: false }, new Date().toISOString());
    startWorker({ store: world.store, webhooks, policy: urlPolicyFrom(ENV), ...FAST });
    await writeNotesConcurrently(world, 2, 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.receipts).toEqual([]);
    await webhooks.updateEndpoint(world.tenantId, created.endpoint.id, { enabled: true }, new Date().toISOString());
    await until(() => hook.receipts.length === 4);
    expect(new Set(hook.receipts.map((r) => r.event.changes[0]!.new_value))).toEqual(new Set(['w0-0', 'w0-1', 'w1-0', 'w1-1']));
  });

  it('keeps delivering to other endpoints when one is deleted while its deliveries are under way', async () => {
    const world = await createWorld();
    let secret = '';
    const slow = await receiver(() => secret, 0, 0, 300);
    cleanups.push(slow.close);
    const doomed = await createWebhook(world.store, { url: slow.url }, { env: ENV });
    secret = doomed.secret;
    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    const errors: unknown[] = [];
    startWorker({ store: world.store, webhooks, policy: urlPolicyFrom(ENV), ...FAST, onError: (e) => errors.push(e) });
    await writeNotesConcurrently(world, 4, 2);
    await until(() => slow.receipts.length > 0);
    expect(await webhooks.deleteEndpoint(world.tenantId, doomed.endpoint.id)).toBe(true);

    const next = await receiver(() => survivor.secret, 0, 0);
    cleanups.push(next.close);
    const survivor = await createWebhook(world.store, { url: next.url }, { env: ENV });
    await writeNotesConcurrently(world, 1, 2);
    await until(() => next.receipts.length === 2);
    await new Promise((r) => setTimeout(r, 400));
    expect(errors).toEqual([]);
    expect(next.receipts.every((r) => r.verified)).toBe(true);
  });

  it('does not call an endpoint whose address is private at delivery time unless allowed', async () => {
    const world = await createWorld();
    const hook = await receiver(() => 'whsec_' + Buffer.alloc(24).toString('base64'), 0, 0);
    cleanups.push(hook.close);
    const created = await createWebhook(world.store, { url: hook.url.replace('127.0.0.1', 'receiver.test') }, { env: { WEBHOOK_ALLOW_HTTP_HOSTS: 'receiver.test', WEBHOOK_SECRET_KEY: TEST_WEBHOOK_KEY }, lookup: async () => ['93.184.216.34'] });
    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    // The name now resolves to loopback: the worker refuses to call it.
    startWorker({ store: world.store, webhooks, policy: urlPolicyFrom({ WEBHOOK_ALLOW_HTTP_HOSTS: 'receiver.test' }), lookup: async () => ['127.0.0.1'], ...FAST });
    await writeNotesConcurrently(world, 1, 1);
    // At least one attempt: retries come 20 ms apart here, so a poll may find several, each refused the same way.
    await until(async () => ((await webhooks.listDeliveries(world.tenantId, created.endpoint.id, { first: 5 }))[0]?.attempts.length ?? 0) >= 1);
    const [delivery] = await webhooks.listDeliveries(world.tenantId, created.endpoint.id, { first: 5 });
    for (const attempt of delivery!.attempts) {
      expect(attempt).toMatchObject({ statusCode: null, error: expect.stringMatching(/receiver.test resolves to 127.0.0.1/) });
    }
    expect(hook.receipts).toEqual([]);
  });

  it('signs with both secrets during a rotation, so a receiver still on the old one verifies', async () => {
    const world = await createWorld();
    let secret = '';
    const hook = await receiver(() => secret, 0, 0);
    cleanups.push(hook.close);
    const created = await createWebhook(world.store, { url: hook.url }, { env: ENV });
    secret = created.secret;
    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    const now = new Date();
    await webhooks.rotateSecret(world.tenantId, created.endpoint.id, 'whsec_' + Buffer.alloc(24, 9).toString('base64'), new Date(now.getTime() + 3_600_000).toISOString(), now.toISOString());
    expect(await webhooks.signingSecrets(created.endpoint.id, now.toISOString())).toHaveLength(2);
    startWorker({ store: world.store, webhooks, policy: urlPolicyFrom(ENV), ...FAST });
    await writeNotesConcurrently(world, 1, 1);
    await until(() => hook.receipts.length === 1);
    expect(hook.receipts[0]!.verified).toBe(true);
    secret = 'whsec_' + Buffer.alloc(24, 9).toString('base64');
    await writeNotesConcurrently(world, 2, 1); // the second writer changes the other call
    await until(() => hook.receipts.length >= 2);
    expect(hook.receipts[1]!.verified).toBe(true);
  });

  it('marks a delivery failed after the retry window and disables an endpoint failing that long, with the reason', async () => {
    const world = await createWorld();
    const hook = await receiver(() => 'whsec_x', 1, 0);
    cleanups.push(hook.close);
    const created = await createWebhook(world.store, { url: hook.url }, { env: ENV });
    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    startWorker({ store: world.store, webhooks, policy: urlPolicyFrom(ENV), ...FAST, retryWindowMs: 300 });
    await writeNotesConcurrently(world, 1, 1);
    await until(async () => (await webhooks.getEndpoint(world.tenantId, created.endpoint.id))!.enabled === false);
    const endpoint = (await webhooks.getEndpoint(world.tenantId, created.endpoint.id))!;
    expect(endpoint.disabledReason).toMatch(/every delivery has failed since/);
    const [delivery] = await webhooks.listDeliveries(world.tenantId, created.endpoint.id, { first: 5 });
    expect(delivery!.status).toBe('failed');
    expect(delivery!.attempts.length).toBeGreaterThan(1);
    expect(delivery!.attempts.every((a) => a.statusCode === 500)).toBe(true);
  });
});
