import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type Client, type ClientOptions, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { Authenticator } from '../../src/auth/authenticator.js';
import { LoginThrottle } from '../../src/core/login-throttle.js';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { parseConfig } from '../../src/http/config.js';
import { startServer } from '../../src/http/server.js';
import { basic, CALL, createWorld, NOW, type World } from '../support/fixtures.js';
import { closeServed, serve } from '../support/http.js';

const apps: { webSockets: { close(): Promise<void> } }[] = [];
// A test that fails with a socket open would keep its server from closing.
afterAll(async () => {
  await Promise.all(apps.map((app) => app.webSockets.close()));
  await closeServed();
});

interface Closed {
  code: number;
  reason: string;
}

/** The real graphql-ws client on `ws`, sending `headers` with the upgrade request; never retries, and records how the socket closed. */
function connect(url: string, options: Partial<ClientOptions> & { headers?: Record<string, string> } = {}) {
  const { headers, ...rest } = options;
  const closes: Closed[] = [];
  let onClose: ((closed: Closed) => void) | undefined;
  const closed = new Promise<Closed>((resolve) => (onClose = resolve));
  const webSocketImpl = headers
    ? class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers });
        }
      }
    : WebSocket;
  const client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl,
    retryAttempts: 0,
    // a connection refused or closed is what these tests look at, through `closed`
    onNonLazyError: () => {},
    on: {
      closed: (event) => {
        const { code, reason } = event as Closed;
        closes.push({ code, reason: String(reason) });
        onClose?.({ code, reason: String(reason) });
      },
    },
    ...rest,
  });
  return { client, closes, closed };
}

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;
type Outcome = { result: Result } | { errors: readonly { message: string; extensions?: Record<string, unknown> }[] } | { closed: Closed };

/** Runs one operation to its end: its result, its operation errors, or how the connection closed. */
function run(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    let result: Result | undefined;
    client.subscribe(
      { query, variables },
      {
        next: (value) => (result = value),
        error: (error) => {
          if (Array.isArray(error)) resolve({ errors: error });
          else {
            const { code, reason } = error as Closed;
            resolve({ closed: { code, reason: String(reason) } });
          }
        },
        complete: () => resolve({ result: result! }),
      },
    );
  });
}

async function served(deps: Partial<AppDeps> = {}, given?: World) {
  const world = given ?? (await createWorld());
  const app = createApp({ store: world.store, logger: false, clock: () => new Date(NOW), ...deps });
  apps.push(app);
  const { url } = await serve(app);
  return { world, app, url };
}

const VIEWER = '{ viewer { username tenant role } }';
const bearer = (world: World, who: keyof World['tokens']) => `Bearer ${world.tokens[who]}`;

describe('GraphQL over WebSocket: authentication', () => {
  it('takes the credentials from connection_init, its key in any case, Bearer or Basic', async () => {
    const { world, url } = await served();
    for (const connectionParams of [
      { Authorization: bearer(world, 'editor') },
      { authorization: bearer(world, 'editor') },
      { AUTHORIZATION: basic('editor') },
    ]) {
      const { client } = connect(url, { connectionParams });
      expect(await run(client, VIEWER)).toEqual({ result: { data: { viewer: { username: 'editor', tenant: 'default', role: 'EDITOR' } } } });
      await client.dispose();
    }
  });

  it("takes the upgrade request's own Authorization header", async () => {
    const { world, url } = await served();
    const { client } = connect(url, { headers: { authorization: bearer(world, 'otherEditor') } });
    expect(await run(client, VIEWER)).toEqual({ result: { data: { viewer: { username: 'otherEditor', tenant: 'other', role: 'EDITOR' } } } });
    await client.dispose();
  });

  it('refuses missing or wrong credentials with 4403 and says what to send', async () => {
    const { url } = await served();
    for (const connectionParams of [{}, { Authorization: 'Bearer not-a-token' }, { Authorization: basic('editor', 'wrong password') }]) {
      const { client } = connect(url, { connectionParams });
      expect(await run(client, VIEWER)).toEqual({
        closed: { code: 4403, reason: expect.stringContaining('Authentication required: send {"Authorization"') },
      });
      await client.dispose();
    }
  });

  it('closes with 4429 and the wait once failed logins are throttled, counted with the HTTP ones', async () => {
    const world = await createWorld();
    const throttle = new LoginThrottle({ freeFailures: 2, baseDelayMs: 30_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000, maxKeys: 1000 });
    const { url } = await served({ authenticator: new Authenticator(world.store, { throttle }) }, world);
    for (let i = 0; i < 3; i++) {
      const { client } = connect(url, { connectionParams: { Authorization: basic('editor', `guess-${i}`) } });
      expect(await run(client, VIEWER)).toMatchObject({ closed: { code: 4403 } });
    }
    const { client } = connect(url, { connectionParams: { Authorization: basic('editor') } });
    expect(await run(client, VIEWER)).toEqual({ closed: { code: 4429, reason: expect.stringMatching(/^Too many failed logins; retry in \d+ seconds$/) } });
    // a token is never throttled by a username
    const token = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') } });
    expect(await run(token.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    await token.client.dispose();
  });

  it('answers an upgrade on another path with 404, and one from a foreign browser origin with 403', async () => {
    const { world, url } = await served();
    const status = (path: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, 'graphql-transport-ws', { headers });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        socket.on('open', () => reject(new Error(`${path} opened`)));
        socket.on('error', () => {});
      });
    expect(await status('/api/v2/calls')).toBe(404);
    expect(await status('/graphql', { origin: 'https://evil.example', authorization: bearer(world, 'editor') })).toBe(403);
  });
});

describe('GraphQL over WebSocket: operations', () => {
  it('runs a query and a mutation as the connection viewer; the change log records channel GRAPHQL', async () => {
    const { world, url } = await served();
    const { client } = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') } });
    const set = await run(
      client,
      `mutation($id: ID!) { setCallCustomFields(callId: $id, customFields: [{ name: "Notes", value: "over ws" }]) {
        __typename ... on SetCallCustomFieldsSuccess { call { customField(name: "Notes") { value } } } } }`,
      { id: CALL.first },
    );
    expect(set).toEqual({ result: { data: { setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess', call: { customField: { value: 'over ws' } } } } } });
    const changes = await run(client, `{ changes(last: 1) { edges { node { channel actor { username } oldValue newValue field { name } } } } }`);
    expect(changes).toEqual({
      result: { data: { changes: { edges: [{ node: { channel: 'GRAPHQL', actor: { username: 'editor' }, oldValue: 'keep me', newValue: 'over ws', field: { name: 'Notes' } } }] } } },
    });
    await client.dispose();
  });

  it('keeps tenants apart and roles as on HTTP', async () => {
    const { world, url } = await served();
    const { client } = connect(url, { connectionParams: { Authorization: bearer(world, 'viewer') } });
    expect(await run(client, `query($id: ID!) { call(id: $id) { id } }`, { id: CALL.otherTenant })).toEqual({ result: { data: { call: null } } });
    const refused = await run(client, `mutation($id: ID!) { setCallCustomFields(callId: $id, customFields: [{ name: "Notes", value: "x" }]) { __typename } }`, {
      id: CALL.first,
    });
    expect(refused).toEqual({ result: { data: { setCallCustomFields: { __typename: 'ForbiddenError' } } } });
    await client.dispose();
  });

  it('applies the abuse limits and masks unexpected errors as on HTTP', async () => {
    const { world, url } = await served({ limits: { maxAliases: 2 } });
    const { client } = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') } });
    const outcome = await run(client, '{ a: viewer { username } b: viewer { username } c: viewer { username } }');
    expect(outcome).toEqual({ errors: [expect.objectContaining({ message: expect.stringContaining('Aliases limit of 2 exceeded'), extensions: expect.objectContaining({ code: 'QUERY_LIMIT_EXCEEDED' }) })] });
    expect(await run(client, '{ nope }')).toEqual({ errors: [expect.objectContaining({ message: expect.stringContaining('Cannot query field "nope"') })] });
    // the connection survives refused operations
    expect(await run(client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    await client.dispose();
  });

  it('runs trusted documents by id; in require mode, query text only for admins', async () => {
    const persistedDocuments = { paths: [], mode: 'require' as const, documents: new Map([['viewer-doc', VIEWER]]) };
    const { world, url } = await served({ persistedDocuments });
    const editor = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') } });
    const byId = await new Promise<unknown>((resolve) => {
      let value: unknown;
      editor.client.subscribe({ query: '', documentId: 'viewer-doc' } as never, { next: (v) => (value = v), error: resolve, complete: () => resolve(value) });
    });
    expect(byId).toMatchObject({ data: { viewer: { username: 'editor' } } });
    expect(await run(editor.client, VIEWER)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_DOCUMENT_REQUIRED' } })] });
    const admin = connect(url, { connectionParams: { Authorization: bearer(world, 'admin') } });
    expect(await run(admin.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'admin' } } } });
    await Promise.all([editor.client.dispose(), admin.client.dispose()]);
  });

  it('closes a connection whose message is larger than WS_MAX_MESSAGE_BYTES with 1009', async () => {
    const { world, url } = await served({ webSocket: { maxMessageBytes: 2048 } });
    const { client } = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') } });
    expect(await run(client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    expect(await run(client, `{ viewer { username } } # ${'x'.repeat(4096)}`)).toEqual({ closed: { code: 1009, reason: expect.any(String) } });
    await client.dispose();
  });
});

describe('GraphQL over WebSocket: keep-alive', () => {
  it('pings every WS_PING_INTERVAL_SECONDS and drops a socket that stops answering', async () => {
    const { world, url } = await served({ webSocket: { pingIntervalMs: 200 } });
    const healthy = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') }, lazy: false });
    expect(await run(healthy.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    const silent = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { autoPong: false });
    let pings = 0;
    silent.on('ping', () => pings++);
    await new Promise((resolve) => silent.once('open', resolve));
    silent.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: bearer(world, 'editor') } }));
    const code = await new Promise<number>((resolve) => silent.once('close', resolve));
    expect(pings).toBeGreaterThanOrEqual(1);
    expect(code).toBe(1006);
    // the client that answers is still served
    expect(healthy.closes).toEqual([]);
    expect(await run(healthy.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    await healthy.client.dispose();
  });
});

describe('GraphQL over WebSocket: revocation', () => {
  it('closes the connection of a revoked token within 5 seconds, saying why', async () => {
    const { world, url } = await served();
    const admin = connect(url, { connectionParams: { Authorization: bearer(world, 'admin') } });
    const created = await run(
      admin.client,
      `mutation { createApiToken(input: { username: "editor", name: "ws" }) { ... on CreateApiTokenSuccess { secret token { id } } } }`,
    );
    const { secret, token } = (created as { result: { data: { createApiToken: { secret: string; token: { id: string } } } } }).result.data.createApiToken;
    const editor = connect(url, { connectionParams: { Authorization: `Bearer ${secret}` }, lazy: false });
    const other = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') }, lazy: false });
    expect(await run(editor.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    expect(await run(other.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });

    const revoked = await run(admin.client, `mutation($id: ID!) { revokeApiToken(id: $id) { __typename } }`, { id: token.id });
    expect(revoked).toEqual({ result: { data: { revokeApiToken: { __typename: 'RevokeApiTokenSuccess' } } } });
    const revokedAt = Date.now();
    expect(await editor.closed).toEqual({ code: 4403, reason: 'Credentials no longer valid: token revoked, user disabled or password changed' });
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    // the same user's other token is untouched
    expect(other.closes).toEqual([]);
    expect(await run(other.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    await Promise.all([admin.client.dispose(), other.client.dispose(), editor.client.dispose()]);
  });

  it('closes Basic connections when the password changes or the user is disabled', async () => {
    const { world, url } = await served();
    const admin = connect(url, { connectionParams: { Authorization: bearer(world, 'admin') } });
    const editor = connect(url, { connectionParams: { Authorization: basic('editor') }, lazy: false });
    const viewer = connect(url, { connectionParams: { Authorization: basic('viewer') }, lazy: false });
    expect(await run(editor.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'editor' } } } });
    expect(await run(viewer.client, VIEWER)).toMatchObject({ result: { data: { viewer: { username: 'viewer' } } } });
    const update = (username: string, input: string) =>
      run(admin.client, `mutation { updateApiUser(username: "${username}", input: ${input}) { __typename } }`);
    expect(await update('editor', '{ password: "a new password" }')).toEqual({ result: { data: { updateApiUser: { __typename: 'ApiUserSuccess' } } } });
    expect(await update('viewer', '{ disabled: true }')).toEqual({ result: { data: { updateApiUser: { __typename: 'ApiUserSuccess' } } } });
    const changedAt = Date.now();
    const reason = 'Credentials no longer valid: token revoked, user disabled or password changed';
    expect(await editor.closed).toEqual({ code: 4403, reason });
    expect(await viewer.closed).toEqual({ code: 4403, reason });
    expect(Date.now() - changedAt).toBeLessThan(5_000);
    await Promise.all([admin.client.dispose(), editor.client.dispose(), viewer.client.dispose()]);
  });

  it("closes a connection whose user's role changed, asking to connect again", async () => {
    const { world, url } = await served();
    const admin = connect(url, { connectionParams: { Authorization: bearer(world, 'admin') } });
    const editor = connect(url, { connectionParams: { Authorization: bearer(world, 'editor') }, lazy: false });
    expect(await run(editor.client, VIEWER)).toMatchObject({ result: { data: { viewer: { role: 'EDITOR' } } } });
    expect(await run(admin.client, 'mutation { updateApiUser(username: "editor", input: { role: VIEWER }) { __typename } }')).toMatchObject({
      result: { data: { updateApiUser: { __typename: 'ApiUserSuccess' } } },
    });
    expect(await editor.closed).toEqual({ code: 4403, reason: "The user's role changed: connect again" });
    await Promise.all([admin.client.dispose(), editor.client.dispose()]);
  });
});

describe('GraphQL over WebSocket: shutdown', () => {
  it('closes every WebSocket with 1001 and stops within the deadline', async () => {
    const world = await createWorld();
    const server = await startServer({ ...parseConfig({}), host: '127.0.0.1', port: 0, logLevel: 'silent', shutdownTimeoutMs: 10_000 }, world.store);
    const sockets = [connect(server.url, { connectionParams: { Authorization: bearer(world, 'editor') }, lazy: false }), connect(server.url, { connectionParams: { Authorization: bearer(world, 'viewer') }, lazy: false })];
    for (const { client } of sockets) expect(await run(client, VIEWER)).toMatchObject({ result: { data: { viewer: {} } } });
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    for (const { closed } of sockets) expect(await closed).toEqual({ code: 1001, reason: 'Server shutting down' });
  });
});

describe('GraphQL over WebSocket: configuration', () => {
  it('has defaults, reads each limit, and names a bad value', () => {
    expect(parseConfig({})).toMatchObject({
      webSocket: { maxSubscriptionsPerConnection: 20, pingIntervalMs: 15_000, maxMessageBytes: 1024 * 1024 },
      maxSubscriptionsPerUser: 100,
    });
    const env = { WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '5', SUBSCRIPTIONS_MAX_PER_USER: '7', WS_PING_INTERVAL_SECONDS: '30', WS_MAX_MESSAGE_BYTES: '65536' };
    expect(parseConfig(env)).toMatchObject({
      webSocket: { maxSubscriptionsPerConnection: 5, pingIntervalMs: 30_000, maxMessageBytes: 65_536 },
      maxSubscriptionsPerUser: 7,
    });
    expect(() => parseConfig({ WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '0' })).toThrow(/WS_MAX_SUBSCRIPTIONS_PER_CONNECTION="0"/);
    expect(() => parseConfig({ SUBSCRIPTIONS_MAX_PER_USER: 'many' })).toThrow(/SUBSCRIPTIONS_MAX_PER_USER="many"/);
    expect(() => parseConfig({ WS_PING_INTERVAL_SECONDS: '0.5' })).toThrow(/WS_PING_INTERVAL_SECONDS="0.5"/);
  });
});
