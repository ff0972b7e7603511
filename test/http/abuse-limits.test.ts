import { describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { LoginThrottle } from '../../src/core/login-throttle.js';
import { basic, CALL, createWorld, type World } from '../support/fixtures.js';
import { withServer } from '../support/http.js';

async function appWith(options: Partial<AppDeps> = {}) {
  const world = await createWorld();
  const app = await withServer(createApp({ store: world.store, logger: false, ...options }));
  const post = (query: string, headers: Record<string, string> = {}, body?: string) =>
    app.fetch(
      new Request('http://callgate.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${world.tokens.editor}`,
          ...headers,
        },
        body: body ?? JSON.stringify({ query }),
      }),
    );
  return { world, app, post };
}

const messages = async (response: Response) => ((await response.json()) as { errors?: { message: string }[] }).errors?.map((e) => e.message) ?? [];

describe('GraphQL abuse limits (defaults)', () => {
  it('refuses a query deeper than 10', async () => {
    const { post } = await appWith();
    const nested = `{ __type(name: "Call") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`;
    const response = await post(nested);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/Query depth limit of 10 exceeded/);
    expect((await post(`{ call(id: "${CALL.first}") { customFields { name value } } }`)).status).toBe(200);
  });

  it('is not bypassed by a fragment named __schema', async () => {
    const { post } = await appWith();
    const query = `{ viewer { username } __type(name: "Call") { ...__schema } }
      fragment __schema on __Type { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`;
    const response = await post(query);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/Query depth limit of 10 exceeded/);
  });

  it('refuses more than 15 aliases', async () => {
    const { post } = await appWith();
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: viewer { username }`).join(' ');
    const response = await post(`{ ${aliases} }`);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/Aliases limit of 15 exceeded/);
    const fifteen = Array.from({ length: 15 }, (_, i) => `a${i}: viewer { username }`).join(' ');
    expect((await post(`{ ${fifteen} }`)).status).toBe(200);
  });

  it('refuses more than 2,000 tokens', async () => {
    const { post } = await appWith();
    const response = await post(`{ viewer { ${'username '.repeat(2000)} } }`);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/Token limit of 2000 exceeded/);
  });

  it('refuses more than 50 directives', async () => {
    const { post } = await appWith();
    const response = await post(`{ viewer { username ${'@include(if: true) '.repeat(51)} } }`);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/Directives limit of 50 exceeded/);
  });

  it('refuses a query costing more than 5,000', async () => {
    const { post } = await appWith({ limits: { maxAliases: 100_000, maxTokens: 100_000 } });
    const fields = Array.from({ length: 1200 }, (_, i) => `c${i}: call(id: "${CALL.first}") { id version }`).join(' ');
    const response = await post(`{ ${fields} }`);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/Query Cost limit of 5000 exceeded/);
  });

  it('takes other limits from its settings', async () => {
    const { post } = await appWith({ limits: { maxAliases: 2 } });
    expect((await post('{ a: viewer { username } b: viewer { username } c: viewer { username } }')).status).toBe(400);
  });

  it('hides field suggestions unless in development', async () => {
    const hidden = await (await appWith()).post('{ viewr { username } }');
    expect((await messages(hidden))[0]).toBe('Cannot query field "viewr" on type "Query". [Suggestion hidden]');
    const shown = await (await appWith({ development: true })).post('{ viewr { username } }');
    expect((await messages(shown))[0]).toBe('Cannot query field "viewr" on type "Query". Did you mean "viewer"?');
  });

  it('refuses batched requests', async () => {
    const { post } = await appWith();
    const response = await post('', {}, JSON.stringify([{ query: '{ viewer { username } }' }, { query: '{ viewer { role } }' }]));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('refuses a mutation over GET with 405', async () => {
    const { app, world } = await appWith();
    const query = encodeURIComponent(`mutation { setCallCustomFields(callId: "${CALL.first}", customFields: []) { __typename } }`);
    const response = await app.fetch(
      new Request(`http://callgate.test/graphql?query=${query}`, {
        headers: { authorization: `Bearer ${world.tokens.editor}`, 'x-graphql-yoga-csrf': '1', accept: 'application/json' },
      }),
    );
    expect(response.status).toBe(405);
  });

  // Issue 16 changed this contract: the 403 case now uses Basic credentials, which a browser sends on its own; a Bearer GET passes.
  it('refuses a GET query with Basic credentials without the CSRF header (a request a browser could forge), and accepts it with', async () => {
    const { app } = await appWith();
    const url = `http://callgate.test/graphql?query=${encodeURIComponent('{ viewer { username } }')}`;
    const headers = { authorization: basic('editor'), accept: 'application/json' };
    const refused = await app.fetch(new Request(url, { headers }));
    expect(refused.status).toBe(403);
    expect(await messages(refused)).toEqual([
      'Send the header "x-graphql-yoga-csrf: 1" with this request, or use POST with Content-Type: application/json ' +
        '(a GET, or a POST of a form or text, could be forged by another web page)',
    ]);
    expect((await app.fetch(new Request(url, { headers: { ...headers, 'x-graphql-yoga-csrf': '1' } }))).status).toBe(200);
  });

  it('refuses a form POST with Basic credentials without the CSRF header', async () => {
    const { app } = await appWith();
    const response = await app.fetch(
      new Request('http://callgate.test/graphql', {
        method: 'POST',
        headers: { authorization: basic('editor'), accept: 'application/json', 'content-type': 'text/plain' },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      }),
    );
    expect(response.status).toBe(403);
  });

  it('accepts a GET query with a Bearer token without the CSRF header: a browser never sends one on its own', async () => {
    const { app, world } = await appWith();
    const url = `http://callgate.test/graphql?query=${encodeURIComponent('{ viewer { username } }')}`;
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await app.fetch(new Request(url, { headers: { authorization: `${scheme} ${world.tokens.editor}`, accept: 'application/json' } }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { viewer: { username: 'editor' } } });
    }
  });
});

describe('introspection and GraphiQL', () => {
  const introspect = '{ __schema { queryType { name } } }';

  it('are on by default', async () => {
    const { post, app } = await appWith();
    expect(await (await post(introspect)).json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await app.fetch(new Request('http://callgate.test/graphql', { headers: { accept: 'text/html' } }))).status).toBe(200);
  });

  it('one setting turns both off', async () => {
    const { post, app } = await appWith({ introspection: false });
    const response = await post(introspect);
    expect(response.status).toBe(400);
    expect((await messages(response))[0]).toMatch(/introspection/i);
    const page = await app.fetch(new Request('http://callgate.test/graphql', { headers: { accept: 'text/html' } }));
    expect(await page.text()).not.toContain('GraphiQL');
    expect((await post('{ viewer { username } }')).status).toBe(200);
  });
});

describe('failed-login throttling', () => {
  const throttled = (world: World) =>
    withServer(createApp({
      store: world.store,
      logger: false,
      trustProxy: true,
      authenticator: new Authenticator(world.store, {
        throttle: new LoginThrottle({ freeFailures: 3, baseDelayMs: 30_000, maxDelayMs: 60_000, forgetAfterMs: 3_600_000, maxKeys: 1000 }),
      }),
    }));

  const getCall = (app: Awaited<ReturnType<typeof throttled>>, authorization: string, from = '203.0.113.7') =>
    app.fetch(new Request(`http://callgate.test/api/v2/calls/${CALL.first}.json`, { headers: { authorization, 'x-forwarded-for': from } }));

  it('answers 429 with Retry-After after repeated failures for a username, and the right password waits too', async () => {
    const world = await createWorld();
    const app = await throttled(world);
    for (let i = 0; i < 4; i++) expect((await getCall(app, basic('editor', `guess-${i}`))).status).toBe(401);
    const refused = await getCall(app, basic('editor', 'another guess'), '198.51.100.1');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'TooManyRequests' });
    expect((await getCall(app, basic('editor'), '198.51.100.2')).status).toBe(429);
  });

  it('never locks a user out of token auth', async () => {
    const world = await createWorld();
    const app = await throttled(world);
    for (let i = 0; i < 6; i++) await getCall(app, basic('editor', `guess-${i}`));
    expect((await getCall(app, `Bearer ${world.tokens.editor}`)).status).toBe(200);
  });

  it('throttles one client address across usernames, but not other addresses', async () => {
    const world = await createWorld();
    const app = await throttled(world);
    for (const user of ['admin', 'viewer', 'nobody', 'ghost']) await getCall(app, basic(user, 'wrong'), '192.0.2.9');
    expect((await getCall(app, basic('editor'), '192.0.2.9')).status).toBe(429);
    expect((await getCall(app, basic('editor'), '192.0.2.10')).status).toBe(200);
  });

  it('throttles GraphQL logins the same way', async () => {
    const world = await createWorld();
    const app = await throttled(world);
    for (let i = 0; i < 4; i++) await getCall(app, basic('viewer', `guess-${i}`));
    const response = await app.fetch(
      new Request('http://callgate.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic('viewer'), 'x-forwarded-for': '198.51.100.3' },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('gives an unknown user and a wrong password the same answer', async () => {
    const world = await createWorld();
    const app = await withServer(createApp({ store: world.store, logger: false }));
    const [unknown, wrong] = await Promise.all([getCall(app, basic('nobody', 'x')), getCall(app, basic('editor', 'x'))]);
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toBe(await wrong.text());
    expect(unknown.headers.get('www-authenticate')).toBe(wrong.headers.get('www-authenticate'));
  });
});
