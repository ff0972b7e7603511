import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { Authenticator } from '../../src/auth/authenticator.js';
import { LoginThrottle } from '../../src/core/login-throttle.js';
import { basic, CALL, createWorld, FIELD, type World } from '../support/fixtures.js';
import { CALL_LIST_PAGE, FRONTEND_OPERATIONS, ROW_FRAGMENTS, type FrontendOperation } from '../support/frontend-operations.js';
import { rawRequest, serve, withServer } from '../support/http.js';

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

interface Answer {
  status: number;
  json: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/**
 * An app over a fresh world, with the three ways a document reaches the
 * limits: the fast path (a JSON POST of declared length), yoga's Node adapter
 * (the same POST with a chunked body) and a GET (urql's default for queries).
 */
async function limitsApp(limits: AppDeps['limits'] = {}) {
  const world = await createWorld();
  const app = createApp({ store: world.store, logger: false, limits });
  const served = await serve(app);
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${world.tokens.editor}` };
  const fast = async (query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
    const body = JSON.stringify({ query, variables });
    const { status, json } = await rawRequest(served.url, {
      method: 'POST',
      path: '/graphql',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    return { status, json };
  };
  const adapter = async (query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
    const response = await served.fetch(new Request('http://callgate.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) }));
    return { status: response.status, json: (await response.json()) as Answer['json'] };
  };
  const get = async (query: string, variables: Record<string, unknown> = {}): Promise<Answer> => {
    const search = new URLSearchParams({ query, variables: JSON.stringify(variables) });
    const response = await served.fetch(
      new Request(`http://callgate.test/graphql?${search}`, { headers: { accept: headers.accept, authorization: headers.authorization } }),
    );
    return { status: response.status, json: (await response.json()) as Answer['json'] };
  };
  const amount = async () => (await fast(`{ call(id: "${CALL.first}") { customField(fieldId: "${FIELD.amount}") { value } } }`)).json.data?.call?.customField;
  return { world, app, fast, adapter, get, amount };
}

/** The frontend operation whose document declares this operation name. */
const operation = (name: string) => FRONTEND_OPERATIONS.find((op) => new RegExp(`^(query|mutation) ${name}\\b`).test(op.document))!;

type Send = (query: string, variables?: Record<string, unknown>) => Promise<Answer>;

/** 15 aliased pages of `first` calls with every field of each call and its custom fields. */
const abuse = (first: string, variables = '') =>
  `query Export${variables} {
  ${Array.from({ length: 15 }, (_, i) => `p${i}: calls(first: ${first}) { edges { cursor node { ...Row } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }`).join('\n  ')}
}
${ROW_FRAGMENTS}`;

const expectRefused = (answer: Answer, message: string) => {
  expect(answer.status).toBe(400);
  expect(answer.json).toEqual({ errors: [{ message, extensions: { code: 'QUERY_LIMIT_EXCEEDED' } }] });
};

const expectAnswered = (answer: Answer) => {
  expect(answer.json.errors).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.json.data).toBeTruthy();
};

describe('query depth and cost: what frontends send passes', () => {
  const paths = (t: Awaited<ReturnType<typeof limitsApp>>, op: FrontendOperation): [string, Send][] => [
    ['the fast path', t.fast],
    ['yoga\'s adapter', t.adapter],
    ...(op.kind === 'query' ? [['GET', t.get] as [string, Send]] : []),
  ];

  it.each(FRONTEND_OPERATIONS.map((op) => [op.name, op] as const))('%s, on every path, hot (compiled) too', async (_name, op) => {
    const t = await limitsApp();
    for (const [path, send] of paths(t, op)) {
      for (let run = 0; run < 4; run++) {
        const answer = await send(op.document, op.variables);
        expect({ path, run, errors: answer.json.errors, status: answer.status }).toEqual({ path, run, errors: undefined, status: 200 });
        expect(answer.json.data).toBeTruthy();
      }
    }
    expect(t.app.graphqlDirectExecutions()).toBe(4);
    expect(t.app.compiledExecution!.stats().compiledExecutions).toBeGreaterThan(0);
  });

  it('answers the data the fragments select: a page, the next page by $after, a refetch, a save', async () => {
    const t = await limitsApp();
    const first = await t.fast(CALL_LIST_PAGE, { first: 1 });
    expectAnswered(first);
    const page = first.json.data!.calls;
    expect(page.totalCount).toBe(2);
    expect(page.edges[0].node.id).toBe(CALL.second);
    expect(page.edges[0].node.customFields.map((v: { name: string }) => v.name)).toContain('Amount');
    expect(page.edges[0].node.customFields[0].field).toMatchObject({ id: expect.any(String), type: expect.any(String) });
    const next = await t.fast(CALL_LIST_PAGE, { first: 1, after: page.pageInfo.endCursor });
    expect(next.json.data!.calls.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([CALL.first]);

    const refetch = operation('CallRowRefetchQuery');
    const node = await t.get(refetch.document, refetch.variables);
    expect(node.json.data!.node).toMatchObject({ __typename: 'Call', id: CALL.first, version: expect.any(Number) });
    const save = operation('SaveCallCustomFieldsMutation');
    const saved = await t.fast(save.document, save.variables);
    expect(saved.json.data!.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');
    expect(await t.amount()).toEqual({ value: '42' });
  });

  it('lets one page of 1,000 calls with every field through (cost 34,001)', async () => {
    const t = await limitsApp();
    expectAnswered(await t.fast(CALL_LIST_PAGE, { first: 1000 }));
  });

  it('lets GraphiQL\'s introspection query through (__schema counts nothing)', async () => {
    const t = await limitsApp();
    expectAnswered(await t.fast(getIntrospectionQuery()));
  });

  it('counts depth through fragments as fields: 10 fields in 9 nested fragments pass, 11 do not', async () => {
    const t = await limitsApp();
    // __type > fields > type > ofType x 6 > name: 10 fields, each step in a fragment of its own
    const chain = (ofTypes: number) => {
      const names = Array.from({ length: ofTypes }, (_, i) => `Of${i}`);
      const fragments = names.map((name, i) => `fragment ${name} on __Type { ofType { ${i + 1 < ofTypes ? `...${names[i + 1]}` : 'name'} } }`);
      return `{ __type(name: "Call") { ...Fields } }
fragment Fields on __Type { fields { ...Type } }
fragment Type on __Field { type { ...${names[0]} } }
${fragments.join('\n')}`;
    };
    expectAnswered(await t.fast(chain(6)));
    expectRefused(await t.fast(chain(7)), 'Query depth limit of 10 exceeded, found 11.');
  });

  it('still refuses a deep query written without fragments, on every path', async () => {
    const t = await limitsApp();
    const deep = `{ __type(name: "Call") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`;
    for (const send of [t.fast, t.adapter, t.get]) expectRefused(await send(deep), 'Query depth limit of 10 exceeded, found 12.');
  });
});

describe('query cost: what abuses the API is refused', () => {
  it('refuses 15 aliased 1,000-row pages of every field, with first a literal or a variable, on every path', async () => {
    const t = await limitsApp();
    const message = 'Query Cost limit of 40000 exceeded, found 510015.';
    for (const send of [t.fast, t.adapter, t.get]) {
      expectRefused(await send(abuse('1000')), message);
      expectRefused(await send(abuse('$first', '($first: Int!)'), { first: 1000 }), message);
      expectRefused(await send(abuse('$first', '($first: Int = 1000)')), message);
    }
    // the same document with small pages is fine: the variable is what counts
    expectAnswered(await t.fast(abuse('$first', '($first: Int!)'), { first: 10 }));
  });

  it('refuses two 1,000-row pages of every field in one request (68,002), and 15 aliased pages of ids (45,015)', async () => {
    const t = await limitsApp();
    const two = `query($n: Int!) { a: calls(first: $n) { ...Page } b: calls(first: $n) { ...Page } }
fragment Page on CallConnection { edges { cursor node { ...Row } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount }
${ROW_FRAGMENTS}`;
    expectRefused(await t.fast(two, { n: 1000 }), 'Query Cost limit of 40000 exceeded, found 68002.');
    const ids = `{ ${Array.from({ length: 15 }, (_, i) => `p${i}: calls(first: 1000) { edges { node { id } } }`).join(' ')} }`;
    expectRefused(await t.fast(ids), 'Query Cost limit of 40000 exceeded, found 45015.');
  });

  it('runs nothing it refuses: a save over the cost or depth limit changes no value', async () => {
    const save = operation('SaveCallCustomFieldsMutation');
    for (const [limits, message] of [
      [{ maxCost: 36 }, 'Query Cost limit of 36 exceeded, found 37.'],
      [{ maxDepth: 4 }, 'Query depth limit of 4 exceeded, found 5.'],
    ] as const) {
      const t = await limitsApp(limits);
      for (const send of [t.fast, t.adapter]) expectRefused(await send(save.document, save.variables), message);
      expect(await t.amount()).toBeNull();
    }
  });

  it('takes the cost limit from its settings', async () => {
    const t = await limitsApp({ maxCost: 3000 });
    expectAnswered(await t.fast('{ calls(first: 999) { edges { node { id } } } }'));
    expectRefused(await t.fast('{ calls(first: 1000) { edges { node { id } } } }'), 'Query Cost limit of 3000 exceeded, found 3001.');
  });

  it('leaves the REST shim\'s fixed documents alone: a 1,000-call REST page passes under any cost limit', async () => {
    const t = await limitsApp({ maxCost: 1, maxDepth: 1 });
    const served = await serve(t.app);
    const response = await served.fetch(
      new Request('http://callgate.test/api/v2/calls.json?limit=1000', { headers: { authorization: `Bearer ${t.world.tokens.editor}` } }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { calls: unknown[] }).calls).toHaveLength(2);
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
