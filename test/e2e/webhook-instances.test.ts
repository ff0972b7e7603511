import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhook } from '../../src/cli/webhooks.js';
import { urlPolicyFrom } from '../../src/core/webhooks.js';
import { WebhookWorker } from '../../src/http/webhook-worker.js';
import type { CallStore } from '../../src/store/call-store.js';
import type { WebhookStore } from '../../src/store/webhook-store.js';
import { runCli, startCliServer } from '../support/cli.js';
import { freshSchema, onPostgres, openTestStore, POSTGRES_ONLY } from '../support/database.js';
import { createCliDatabase } from '../support/durability-harness.js';
import { CALL, createWorld, FIELD, TEST_WEBHOOK_KEY } from '../support/fixtures.js';
import { receiver, writeNotesConcurrently } from '../support/webhooks.js';

/**
 * Webhook delivery across instances and crashes: two instances on one
 * PostgreSQL database share the deliveries without sending one attempt twice,
 * and a `callgate serve` killed with SIGKILL mid-delivery loses nothing once
 * it is restarted (the leases of the attempts it had under way expire).
 */

const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1', WEBHOOK_SECRET_KEY: TEST_WEBHOOK_KEY };
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The webhook store, counting the attempts recorded through it (one instance's share of the work). */
function counting(webhooks: WebhookStore): { webhooks: WebhookStore; attempts: () => number } {
  let attempts = 0;
  const counted = Object.create(webhooks) as WebhookStore;
  counted.recordAttempt = (result) => {
    attempts++;
    return webhooks.recordAttempt(result);
  };
  return { webhooks: counted, attempts: () => attempts };
}

describe.skipIf(!onPostgres)(`webhooks on two instances of one PostgreSQL database ${POSTGRES_ONLY}`, () => {
  it('share the deliveries of 20 concurrent writers: every change set delivered, none sent twice', async () => {
    const { url } = await freshSchema();
    const world = await createWorld({ url });
    const other: CallStore = await openTestStore({ url });
    let secret = '';
    const hook = await receiver(() => secret, 0, 0, 20);
    cleanups.push(hook.close);
    secret = (await createWebhook(world.store, { url: hook.url }, { env: ENV })).secret;

    const instances = [world.store, other].map((store) => {
      const { webhooks, attempts } = counting(store.webhooks!({ secretKey: TEST_WEBHOOK_KEY }));
      const worker = new WebhookWorker({ store, webhooks, policy: urlPolicyFrom(ENV), pollMs: 20, concurrency: 4, onError: (e) => console.error('webhook worker', e) });
      worker.start();
      cleanups.push(() => worker.stop());
      return { attempts };
    });

    await writeNotesConcurrently(world, 20, 5, (w) => (w % 2 === 0 ? world.store : other));
    const delivered = () => new Set(hook.receipts.map((r) => r.event.change_set_id)).size;
    await until(() => delivered() === 100, 30_000);
    await new Promise((r) => setTimeout(r, 300));

    expect(hook.receipts.every((r) => r.verified && r.accepted)).toBe(true);
    // In normal operation (no instance dies, no attempt outlives its lease) the bound is zero duplicates.
    const duplicates = hook.receipts.length - new Set(hook.receipts.map((r) => r.webhookId)).size;
    expect(duplicates).toBe(0);
    const [a, b] = instances.map((i) => i.attempts());
    expect(a! + b!).toBe(100);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  }, 60_000);

  it('when one of two callgate serve processes is killed mid-delivery, the survivor finishes every delivery', async () => {
    const { url: db } = await freshSchema();
    const world = await createWorld({ url: db });
    let secret = '';
    const hook = await receiver(() => secret, 0, 0, 1000);
    cleanups.push(hook.close);
    const created = await createWebhook(world.store, { url: hook.url }, { env: ENV });
    secret = created.secret;
    const env = { ...ENV, WEBHOOK_TIMEOUT_MS: '2000' };
    const [doomed, survivor] = [startCliServer(['--db', db], env), startCliServer(['--db', db], env)];
    for (const server of [doomed, survivor]) cleanups.push(async () => server.child.kill('SIGKILL'));
    const base = await doomed.url;
    await survivor.url;
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${base}/api/v2/calls/${i % 2 === 0 ? CALL.first : CALL.second}.json`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${world.tokens.editor}` },
        body: JSON.stringify({ call: { custom_fields: [{ name: 'Notes', value: `n${i}` }] } }),
      });
      expect(response.status).toBe(200);
    }
    await until(() => hook.receipts.length >= 1, 15_000);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    const webhooks = world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY });
    const delivered = async () => (await webhooks.listDeliveries(world.tenantId, created.endpoint.id, { first: 100 })).filter((d) => d.status === 'delivered').length;
    await until(async () => (await delivered()) === 20, 40_000);
    expect(new Set(hook.receipts.map((r) => r.event.change_set_id)).size).toBe(20);
    expect(hook.receipts.every((r) => r.verified)).toBe(true);
  }, 90_000);
});

describe.skipIf(onPostgres)('webhooks when callgate serve is killed mid-delivery (SQLite)', () => {
  it('the restarted process finishes every delivery: nothing is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callgate-webhook-kill-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const { db, token, callIds } = await createCliDatabase(dir, 20);
    let secret = '';
    // Each answer takes 1 s: deliveries are under way when the process dies.
    const hook = await receiver(() => secret, 0, 0, 1000);
    cleanups.push(hook.close);
    const created = await runCli(['webhooks', 'create', '--url', hook.url, '--db', db], { env: ENV });
    expect(created.code, created.stderr).toBe(0);
    secret = (JSON.parse(created.stdout) as { secret: string }).secret;

    // A 2 s timeout makes the lease of an attempt 9 s (2 x timeout + 5 s): the restart waits that out.
    const env = { ...ENV, WEBHOOK_TIMEOUT_MS: '2000' };
    const first = startCliServer(['--db', db], env);
    cleanups.push(async () => first.child.kill('SIGKILL'));
    const url = await first.url;
    for (const [i, callId] of callIds.entries()) {
      const response = await fetch(`${url}/api/v2/calls/${callId}.json`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ call: { custom_fields: [{ name: 'Tag', value: `tag ${i}` }] } }),
      });
      expect(response.status).toBe(200);
    }
    await until(() => hook.receipts.length >= 1, 15_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeKill = new Set(hook.receipts.map((r) => r.event.change_set_id)).size;
    expect(beforeKill).toBeLessThan(callIds.length);

    const second = startCliServer(['--db', db], env);
    cleanups.push(async () => second.child.kill('SIGKILL'));
    await second.url;
    await until(() => new Set(hook.receipts.map((r) => r.event.call_id)).size === callIds.length, 40_000);
    expect(hook.receipts.every((r) => r.verified)).toBe(true);
    expect(new Set(hook.receipts.map((r) => r.event.call_id))).toEqual(new Set(callIds));
    // The attempts the killed process had under way are sent again once their leases expire, and recorded this time.
    const endpointId = (JSON.parse(created.stdout) as { endpoint: { id: string } }).endpoint.id;
    const statuses = async () => {
      const listed = await runCli(['webhooks', 'deliveries', '--endpoint', endpointId, '--first', '100', '--db', db], { env: ENV });
      return (JSON.parse(listed.stdout) as { deliveries: { status: string }[] }).deliveries.map((d) => d.status);
    };
    await until(async () => (await statuses()).filter((s) => s === 'delivered').length === callIds.length, 40_000);
    const resent = hook.receipts.length - new Set(hook.receipts.map((r) => r.webhookId)).size;
    // Bounded by the attempts under way at the kill (at most the worker's concurrency, 16).
    expect(resent).toBeLessThanOrEqual(16);
  }, 90_000);
});
