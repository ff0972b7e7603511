import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookWorker } from '../../src/http/webhook-worker.js';
import { CALL, createTestApp } from '../support/fixtures.js';

const RECEIVER = fileURLToPath(new URL('../../examples/webhook-receiver/receiver.mjs', import.meta.url));
const LOCAL = { allowHttpHosts: ['127.0.0.1'], allowPrivate: true };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the example receiver with a secret; resolves its URL once it listens. */
function startReceiver(secret: string) {
  const child = spawn(process.execPath, [RECEIVER], { env: { ...process.env, CALLGATE_WEBHOOK_SECRET: secret, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill());
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      const found = /listening on (\S+)/.exec(String(d));
      if (found) resolve(found[1]!);
    });
    child.on('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
  });
  return { url, lines: () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>) };
}

describe('the example webhook receiver (examples/webhook-receiver)', () => {
  it('verifies real deliveries, logs each change once, and refuses a forged one', async () => {
    const t = await createTestApp({ webhookPolicy: LOCAL });
    // The secret is made before the receiver starts: create the endpoint first, then point it at the receiver.
    const created = await t.graphql(`mutation { createWebhookEndpoint(url: "http://127.0.0.1:9/") { ... on CreateWebhookEndpointSuccess { secret endpoint { id } } } }`, {}, 'admin');
    const { secret, endpoint } = created.body.data.createWebhookEndpoint;
    const receiver = startReceiver(secret);
    const url = await receiver.url;
    await t.graphql(`mutation($id: ID!, $url: String!) { updateWebhookEndpoint(id: $id, url: $url) { __typename } }`, { id: endpoint.id, url }, 'admin');

    expect((await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ name: 'Notes', value: 'hello' }] } } })).status).toBe(200);
    await t.graphql(`mutation($id: ID!) { sendWebhookTestEvent(id: $id) { __typename } }`, { id: endpoint.id }, 'admin');
    const worker = new WebhookWorker({ store: t.store, webhooks: t.webhooks, policy: LOCAL, pollMs: 50 });
    worker.start();
    cleanups.push(() => worker.stop());
    const deadline = Date.now() + 15_000;
    while (receiver.lines().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(receiver.lines()).toEqual(expect.arrayContaining([{ call: CALL.first, field: 'Notes', from: 'keep me', to: 'hello' }, { test: expect.stringMatching(/_test1$/) }]));

    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'webhook-id': 'evt_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body: '{}',
    });
    expect(forged.status).toBe(400);
  }, 30_000);
});
