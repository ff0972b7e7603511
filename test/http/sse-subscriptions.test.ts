import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config.js';
import { CALL, createTestApp, NOW } from '../support/fixtures.js';
import { subscribeSse, type SseSubscription } from '../support/sse-client.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

const LIVE = 'subscription { callChanges { cursor } }';

describe('subscriptions over SSE: per-user limit and revocation', () => {
  let t: App | null = null;
  const open: SseSubscription[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) s.close();
    await t?.app.closeSubscriptions();
  });

  const subscribe = async (app: App, as: 'viewer' | 'editor' = 'viewer') => {
    const s = await subscribeSse(app.url, { query: LIVE }, { authorization: app.bearer(as) });
    open.push(s);
    expect(s.status).toBe(200);
    return s;
  };

  it('refuses one stream past SUBSCRIPTIONS_MAX_PER_USER and frees the slot when a stream ends', async () => {
    t = await createTestApp({ maxSubscriptionsPerUser: 2 });
    const first = await subscribe(t);
    await subscribe(t);
    const third = await subscribe(t);
    expect(await third.next()).toEqual({
      errors: [
        {
          message: 'Too many open subscriptions for this API user: at most 2 (SUBSCRIPTIONS_MAX_PER_USER); complete one first',
          extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' },
        },
      ],
    });
    expect(await third.completed).toBe('complete');
    // Another user has slots of their own.
    const editor = await subscribe(t, 'editor');
    expect(await editor.quietFor(200)).toBe(true);

    first.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await subscribe(t);
    const put = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, {
      body: { call: { custom_fields: [{ name: 'Notes', value: 'freed' }] } },
    });
    expect(put.status).toBe(200);
    expect((await again.next()).data.callChanges.cursor).toMatch(/^\d+$/);
  });

  it('ends the stream of a revoked token within 5 seconds with an error saying why, then completes', async () => {
    t = await createTestApp({ recheckCredentialsMs: 500 });
    const s = await subscribe(t);
    await t.sql("UPDATE api_tokens SET revoked_at = ? WHERE user_id = (SELECT id FROM api_users WHERE username = 'viewer')", NOW);
    const revokedAt = Date.now();
    expect(await s.next(5_000)).toEqual({
      errors: [{ message: 'Credentials no longer valid: token revoked, user disabled or password changed', extensions: { code: 'CREDENTIALS_REVOKED' } }],
    });
    expect(await s.completed).toBe('complete');
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    // Another user's stream is untouched.
    const editor = await subscribe(t, 'editor');
    expect(await editor.quietFor(700)).toBe(true);
  });

  it('ends a subscriber that falls more than SUBSCRIPTION_MAX_BUFFERED_EVENTS behind, telling it where to resume', async () => {
    t = await createTestApp({ maxBufferedEvents: 1 });
    const s = await subscribe(t);
    const put = (customFields: { name: string; value: string }[]) =>
      t!.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: customFields } } });
    expect((await put([{ name: 'Notes', value: 'one' }])).status).toBe(200);
    const { cursor } = (await s.next()).data.callChanges;
    // A change set of two records is more than the one this subscriber may keep waiting.
    expect((await put([{ name: 'Notes', value: 'two' }, { name: 'Call type', value: 'Sales' }])).status).toBe(200);
    expect(await s.next()).toMatchObject({
      data: null,
      errors: [{ message: `Too slow: resume with after: ${cursor}`, extensions: { code: 'SUBSCRIPTION_TOO_SLOW' } }],
    });
    expect(await s.completed).toBe('complete');
  });
});

describe('SUBSCRIPTION_MAX_BUFFERED_EVENTS', () => {
  it('defaults to 1000, reads a count, and names a bad value', () => {
    expect(parseConfig({}).maxBufferedEvents).toBe(1000);
    expect(parseConfig({ SUBSCRIPTION_MAX_BUFFERED_EVENTS: '50' }).maxBufferedEvents).toBe(50);
    expect(() => parseConfig({ SUBSCRIPTION_MAX_BUFFERED_EVENTS: '0' })).toThrow(/SUBSCRIPTION_MAX_BUFFERED_EVENTS="0"/);
    expect(() => parseConfig({ SUBSCRIPTION_MAX_BUFFERED_EVENTS: 'lots' })).toThrow(/SUBSCRIPTION_MAX_BUFFERED_EVENTS="lots"/);
  });
});
