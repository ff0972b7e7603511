import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { parseConfig } from '../../src/http/config.js';
import { startServer } from '../../src/http/server.js';
import { freshSchema, onCleanup, onPostgres, openTestStore, POSTGRES_ONLY } from '../support/database.js';
import { CALL, createWorld, NOW, type World } from '../support/fixtures.js';
import { closeServed, serve } from '../support/http.js';
import { subscribeSse } from '../support/sse-client.js';

const apps: ReturnType<typeof createApp>[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => Promise.all([app.webSockets.close(), app.closeSubscriptions()])));
  await closeServed();
});

const CALL_CHANGES = /* GraphQL */ `
  subscription Live($callIds: [ID!], $after: String) {
    callChanges(callIds: $callIds, after: $after) {
      cursor
      call { id customField(name: "Notes") { value } }
      changes { field { name } oldValue newValue }
      actor { username }
      channel
    }
  }
`;

async function served(deps: Partial<AppDeps> = {}) {
  const world = await createWorld();
  const app = createApp({ store: world.store, logger: false, clock: () => new Date(NOW), ...deps });
  apps.push(app);
  const { url, fetch } = await serve(app);
  const bearer = (who: keyof World['tokens']) => `Bearer ${world.tokens[who]}`;
  const connect = (who: keyof World['tokens']) =>
    createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { Authorization: bearer(who) } });
  const put = async (callId: string, value: string, who: keyof World['tokens'] = 'editor', field = 'Notes') => {
    const response = await fetch(
      new Request(`http://callgate.test/api/v2/calls/${callId}.json`, {
        method: 'PUT',
        headers: { authorization: bearer(who), 'content-type': 'application/json' },
        body: JSON.stringify({ call: { custom_fields: [{ name: field, value }] } }),
      }),
    );
    expect(response.status).toBe(200);
  };
  return { world, app, url, connect, put };
}

interface Stream {
  next(timeoutMs?: number): Promise<any>;
  /** Resolves with the operation's errors, or how the connection closed, once it fails. */
  failed: Promise<unknown>;
  dispose(): void;
}

/** A subscription through the real client: its events in order, and its failure. */
function subscribe(client: Client, variables: Record<string, unknown>): Stream {
  const events: unknown[] = [];
  let wake: (() => void) | null = null;
  let fail!: (error: unknown) => void;
  const failed = new Promise<unknown>((resolve) => (fail = resolve));
  const dispose = client.subscribe(
    { query: CALL_CHANGES, variables },
    {
      next: (value) => {
        events.push(value);
        wake?.();
      },
      error: (error) => fail(error),
      complete: () => {},
    },
  );
  return {
    failed,
    dispose,
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, left);
        });
        wake = null;
      }
      return events.shift();
    },
  };
}

/** The end of the viewer's change log, as `after`: a subscription from it misses nothing written later, whenever the server starts it. */
async function logEnd(client: Client): Promise<string> {
  const result = await new Promise<any>((resolve, reject) => {
    let value: unknown;
    client.subscribe({ query: '{ changes(last: 1) { edges { cursor } } }' }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
  });
  return result.data.changes.edges[0]?.cursor ?? '0';
}

const notesOf = (event: any) => event?.data?.callChanges?.call?.customField?.value;

describe('callChanges over WebSocket', () => {
  it('delivers an edit through REST to a WebSocket subscriber; another tenant\'s edits never arrive', async () => {
    const { connect, put } = await served();
    const [client, other] = [connect('viewer'), connect('otherEditor')];
    const stream = subscribe(client, { after: await logEnd(client) });
    const otherStream = subscribe(other, { after: await logEnd(other) });
    await put(CALL.otherTenant, 'other tenant', 'otherEditor', 'Secret');
    await put(CALL.first, 'via REST');
    const event = await stream.next();
    expect(event.data.callChanges).toMatchObject({
      call: { id: CALL.first, customField: { value: 'via REST' } },
      changes: [{ field: { name: 'Notes' }, oldValue: 'keep me', newValue: 'via REST' }],
      actor: { username: 'editor' },
      channel: 'REST',
    });
    // the other tenant's subscriber gets its own edit, and nothing of this tenant's
    const own = await otherStream.next();
    expect(own.data.callChanges).toMatchObject({ call: { id: CALL.otherTenant }, changes: [{ field: { name: 'Secret' }, newValue: 'other tenant' }] });
    expect(await stream.next(500)).toBeUndefined();
    expect(await otherStream.next(100)).toBeUndefined();
    await Promise.all([client.dispose(), other.dispose()]);
  });

  it('refuses a subscription past WS_MAX_SUBSCRIPTIONS_PER_CONNECTION with an error for that operation; the others go on', async () => {
    const { connect, put } = await served({ webSocket: { maxSubscriptionsPerConnection: 2 } });
    const client = connect('viewer');
    const after = await logEnd(client);
    const first = subscribe(client, { after, callIds: [CALL.first] });
    const second = subscribe(client, { after, callIds: [CALL.second] });
    const third = subscribe(client, { after });
    expect(await third.failed).toEqual([
      expect.objectContaining({
        message: 'Too many subscriptions on this connection: at most 2 (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first',
        extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' },
      }),
    ]);
    await put(CALL.first, 'one');
    await put(CALL.second, 'two');
    expect(notesOf(await first.next())).toBe('one');
    expect(notesOf(await second.next())).toBe('two');

    // completing one gives its place back
    first.dispose();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fourth = subscribe(client, { after, callIds: [CALL.first] });
    expect(notesOf(await fourth.next())).toBe('one');
    await client.dispose();
  });

  it('refuses a stream past SUBSCRIPTIONS_MAX_PER_USER across connections, and frees the places of a closed connection', async () => {
    const { connect, put } = await served({ maxSubscriptionsPerUser: 2 });
    const [a, b] = [connect('viewer'), connect('viewer')];
    const after = await logEnd(a);
    const streams = [subscribe(a, { after }), subscribe(b, { after })];
    await put(CALL.first, 'seen');
    for (const stream of streams) expect(notesOf(await stream.next())).toBe('seen');
    const refused = subscribe(b, { after });
    expect(await refused.failed).toEqual([
      expect.objectContaining({
        message: 'Too many open subscriptions for this API user: at most 2 (SUBSCRIPTIONS_MAX_PER_USER); complete one first',
        extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' },
      }),
    ]);
    // another user is not counted against this one
    const editor = connect('editor');
    const editorStream = subscribe(editor, { after });
    expect(notesOf(await editorStream.next())).toBe('seen');

    await a.dispose();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = subscribe(b, { after });
    expect(notesOf(await again.next())).toBe('seen');
    await Promise.all([b.dispose(), editor.dispose()]);
  });

  it('counts SSE and WebSocket streams together against SUBSCRIPTIONS_MAX_PER_USER', async () => {
    const { connect, url, world } = await served({ maxSubscriptionsPerUser: 1 });
    const client = connect('viewer');
    const after = await logEnd(client);
    subscribe(client, { after });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sse = await subscribeSse(url, { query: 'subscription { callChanges { cursor } }' }, { authorization: `Bearer ${world.tokens.viewer}` });
    expect(await sse.next()).toMatchObject({ errors: [{ extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' } }] });
    sse.close();
    await client.dispose();
  });

  it('ends a subscriber that falls more than SUBSCRIPTION_MAX_BUFFERED_EVENTS behind, telling it where to resume', async () => {
    const { connect, url, world } = await served({ maxBufferedEvents: 1 });
    const client = connect('viewer');
    const after = await logEnd(client);
    const stream = subscribe(client, { after });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const put = (customFields: { name: string; value: string }[]) =>
      fetch(`${url}/api/v2/calls/${CALL.first}.json`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${world.tokens.editor}`, 'content-type': 'application/json' },
        body: JSON.stringify({ call: { custom_fields: customFields } }),
      });
    expect((await put([{ name: 'Notes', value: 'one' }])).status).toBe(200);
    const { cursor } = (await stream.next()).data.callChanges;
    // A change set of two records is more than the one this subscriber may keep waiting.
    expect((await put([{ name: 'Notes', value: 'two' }, { name: 'Call type', value: 'Sales' }])).status).toBe(200);
    expect(await stream.next()).toMatchObject({
      data: null,
      errors: [{ message: `Too slow: resume with after: ${cursor}`, extensions: { code: 'SUBSCRIPTION_TOO_SLOW' } }],
    });
    await client.dispose();
  });

  it('applies the abuse limits to subscription documents', async () => {
    const { connect } = await served({ limits: { maxAliases: 1 } });
    const client = connect('viewer');
    const failed = await new Promise<unknown>((resolve) =>
      client.subscribe({ query: 'subscription { a: callChanges { cursor } b: callChanges { cursor } }' }, { next: () => {}, error: resolve, complete: () => {} }),
    );
    expect(failed).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_LIMIT_EXCEEDED' }) })]);
    await client.dispose();
  });

  it('ends a subscription of a revoked token with the connection, within 5 seconds', async () => {
    const { world, connect } = await served();
    const client = connect('viewer');
    const after = await logEnd(client);
    const stream = subscribe(client, { after });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await world.sql("UPDATE api_tokens SET revoked_at = ? WHERE user_id = (SELECT id FROM api_users WHERE username = 'viewer')", NOW);
    const revokedAt = Date.now();
    expect(await stream.failed).toMatchObject({ code: 4403, reason: 'Credentials no longer valid: token revoked, user disabled or password changed' });
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    await client.dispose();
  });

  it('closes open subscriptions with 1001 when the server shuts down, within the deadline', async () => {
    const world = await createWorld();
    const server = await startServer({ ...parseConfig({}), host: '127.0.0.1', port: 0, logLevel: 'silent', shutdownTimeoutMs: 5_000 }, world.store);
    const client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { Authorization: `Bearer ${world.tokens.viewer}` },
    });
    const stream = subscribe(client, { after: await logEnd(client) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await stream.failed).toMatchObject({ code: 1001, reason: 'Server shutting down' });
  });
});

describe.skipIf(!onPostgres)(`callChanges over WebSocket across two instances on one PostgreSQL database ${POSTGRES_ONLY}`, () => {
  it('a REST PUT and a GraphQL mutation through instance A reach a WebSocket subscriber on instance B', async () => {
    const { url } = await freshSchema();
    const world = await createWorld({ url });
    const storeB = await openTestStore({ url });
    const [a, b] = [createApp({ store: world.store, logger: false }), createApp({ store: storeB, logger: false })];
    const [servedA, servedB] = [await serve(a), await serve(b)];
    onCleanup(async () => {
      await Promise.all([a.webSockets.close(), b.webSockets.close(), a.closeSubscriptions(), b.closeSubscriptions()]);
      await Promise.all([servedA.close(), servedB.close()]);
      await storeB.close();
    });
    const authorization = `Bearer ${world.tokens.editor}`;
    const client = createClient({ url: `${servedB.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization } });
    const stream = subscribe(client, { after: await logEnd(client) });

    const put = await fetch(`${servedA.url}/api/v2/calls/${CALL.first}.json`, {
      method: 'PUT',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ call: { custom_fields: [{ name: 'Notes', value: 'via rest' }] } }),
    });
    expect(put.status).toBe(200);
    expect((await stream.next()).data.callChanges).toMatchObject({ channel: 'REST', call: { customField: { value: 'via rest' } } });
    const mutation = await fetch(`${servedA.url}/graphql`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { setCallCustomFields(callId: "${CALL.first}", customFields: [{ name: "Notes", value: "via gql" }]) { __typename } }` }),
    });
    expect(mutation.status).toBe(200);
    expect((await stream.next()).data.callChanges).toMatchObject({ channel: 'GRAPHQL', call: { customField: { value: 'via gql' } } });
    await client.dispose();
  });
});
