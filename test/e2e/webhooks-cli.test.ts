import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { freshDatabaseUrl, STORE_UNDER_TEST } from '../support/database.js';
import { TEST_WEBHOOK_KEY } from '../support/fixtures.js';

describe(`callgate webhooks (${STORE_UNDER_TEST})`, { timeout: 60_000 }, () => {
  it('create prints the endpoint and its secret once; list and deliveries read them back; mistakes are usage errors', async () => {
    const db = await freshDatabaseUrl();
    const key = { WEBHOOK_SECRET_KEY: TEST_WEBHOOK_KEY };
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP_HOSTS: '127.0.0.1', ...key };
    const created = await runCli(['webhooks', 'create', '--url', 'http://127.0.0.1:9/hook', '--db', db], { env });
    expect(created.code, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout);
    expect(out).toMatchObject({ endpoint: { url: 'http://127.0.0.1:9/hook', enabled: true }, secret: expect.stringMatching(/^whsec_/) });

    const listed = JSON.parse((await runCli(['webhooks', 'list', '--db', db], { env: key })).stdout);
    expect(listed.endpoints.map((e: { id: string }) => e.id)).toEqual([out.endpoint.id]);
    expect(JSON.stringify(listed)).not.toContain(out.secret);
    const deliveries = await runCli(['webhooks', 'deliveries', '--endpoint', out.endpoint.id, '--db', db], { env: key });
    expect(deliveries.code, deliveries.stderr).toBe(0);

    // without the operator's allowances: plain http and a loopback address are refused, nothing stored
    const refused = await runCli(['webhooks', 'create', '--url', 'http://127.0.0.1:9/other', '--db', db], { env: key });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^callgate: .*https/m);
    expect((await runCli(['webhooks', 'create', '--db', db])).stderr).toContain('--url is required');
    expect(JSON.parse((await runCli(['webhooks', 'list', '--db', db], { env: key })).stdout).endpoints).toHaveLength(1);

    // update, test, rotate-secret, redeliver and delete, each printing JSON
    const id = out.endpoint.id;
    const updated = await runCli(['webhooks', 'update', '--endpoint', id, '--disable', '--db', db], { env: key });
    expect(JSON.parse(updated.stdout).endpoint).toMatchObject({ id, enabled: false });
    const test = JSON.parse((await runCli(['webhooks', 'test', '--endpoint', id, '--db', db], { env: key })).stdout);
    expect(test.delivery).toMatchObject({ type: 'webhook.test', status: 'pending' });
    const rotated = JSON.parse((await runCli(['webhooks', 'rotate-secret', '--endpoint', id, '--db', db], { env: key })).stdout);
    expect(rotated.secret).not.toBe(out.secret);
    const again = await runCli(['webhooks', 'redeliver', '--delivery', test.delivery.id, '--db', db], { env: key });
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli(['webhooks', 'delete', '--endpoint', id, '--db', db], { env: key })).code).toBe(0);
    const gone = await runCli(['webhooks', 'delete', '--endpoint', id, '--db', db], { env: key });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`Unknown webhook endpoint "${id}"`);
  });
});
