import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { basic, CALL, createWorld, FIELD, PASSWORD, type World } from '../support/fixtures.js';
import { withServer } from '../support/http.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real node:http server over app.handleNode, with the log lines captured. */
async function serve(options: Partial<AppDeps> = {}, world?: World) {
  const w = world ?? (await createWorld());
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = createApp({ store: w.store, logger: pino({ level: 'info' }, sink), ...options });
  server = createServer(app.handleNode);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, lines, world: w, app };
}

describe('health and readiness', () => {
  it('/healthz answers without auth and without data', async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is ready with a migrated database and 503 without one', async () => {
    const { url } = await serve();
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    server!.close();
    const bare = new SqliteCallStore({ path: ':memory:' });
    const app = createApp({ store: bare, logger: false });
    const response = await (await withServer(app)).fetch(new Request('http://callgate.test/readyz'));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'unavailable' });
    server = undefined;
  });
});

describe('request logs', () => {
  it('log one line per request with id, method, route, status, duration and user, and never secrets or values', async () => {
    const { url, lines, world } = await serve();
    const response = await fetch(`${url}/api/v2/calls/${CALL.first}.json`, {
      method: 'PUT',
      headers: { authorization: basic('editor'), 'content-type': 'application/json', 'x-request-id': 'trace-42' },
      body: JSON.stringify({ call: { custom_fields: [{ field_id: FIELD.callType, value: 'top secret value' }] } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.tokens.viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query WhoAmI { viewer { username } }' }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests[0]).toMatchObject({ reqId: 'trace-42', method: 'PUT', route: 'PUT /api/v2/calls/{call_id}.json', status: 200, user: 'editor' });
    expect(typeof requests[0]!.durationMs).toBe('number');
    expect(requests[1]).toMatchObject({ method: 'POST', route: 'graphql WhoAmI', status: 200, user: 'viewer' });
    expect(requests[1]!.reqId).toMatch(/^[0-9a-f-]{36}$/);
    const all = JSON.stringify(lines);
    for (const secret of ['top secret value', PASSWORD, world.tokens.viewer, Buffer.from(`editor:${PASSWORD}`).toString('base64')]) {
      expect(all).not.toContain(secret);
    }
  });

  it('ignores an X-Request-Id that is not a sane token', async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('return the request id on every kind of response, the same id the log line has', async () => {
    const { url, lines, world } = await serve();
    const bearer = { authorization: `Bearer ${world.tokens.editor}` };
    const graphql = { ...bearer, 'content-type': 'application/json' };
    const requests: [string, string, RequestInit][] = [
      ['REST 200', `/api/v2/calls/${CALL.first}.json`, { headers: bearer }],
      ['REST 401', `/api/v2/calls/${CALL.first}.json`, {}],
      ['REST 404', '/api/v2/nothing', { headers: bearer }],
      ['REST 405', `/api/v2/calls/${CALL.first}.json`, { method: 'DELETE', headers: bearer }],
      ['/healthz', '/healthz', {}],
      ['/metrics', '/metrics', {}],
      ['/graphql fast path', '/graphql', { method: 'POST', headers: graphql, body: JSON.stringify({ query: '{ viewer { username } }' }) }],
      ['/graphql through yoga (GET)', '/graphql?query=%7Bviewer%7Busername%7D%7D', { headers: bearer }],
      ['/graphql 401', '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' }],
      ['unrouted', '/nothing', {}],
    ];
    const idOf = (name: string) => `id-${name.replace(/\W+/g, '-')}`;
    for (const [name, path, init] of requests) {
      const id = idOf(name);
      const response = await fetch(`${url}${path}`, { ...init, headers: { ...(init.headers as object), 'x-request-id': id } });
      await response.text();
      // fetch joins repeated headers with ", ": equality also proves the id is sent once
      expect(response.headers.get('x-request-id'), name).toBe(id);
    }
    const badHost = await new Promise<{ status?: number; id: unknown }>((resolve, reject) => {
      const socket = connect((server!.address() as AddressInfo).port, '127.0.0.1', () =>
        socket.end('GET /healthz HTTP/1.1\r\nHost: bad host!\r\nX-Request-Id: id-bad-host\r\nConnection: close\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: Number(text.split(' ')[1]), id: /x-request-id: (\S+)/i.exec(text)?.[1] }));
      socket.on('error', reject);
    });
    expect(badHost).toEqual({ status: 400, id: 'id-bad-host' });
    await new Promise((r) => setTimeout(r, 50));
    const logged = new Set(lines.filter((l) => l.msg === 'request').map((l) => l.reqId));
    for (const [name] of requests) expect(logged.has(idOf(name)), name).toBe(true);
    expect(logged.has('id-bad-host')).toBe(true);
  });

  it('log an unexpected error with its stack while the client sees only "Unexpected error."', async () => {
    const world = await createWorld();
    world.store.getCall = async () => {
      throw new Error('SQLITE_CORRUPT: database disk image is malformed');
    };
    const { url, lines } = await serve({}, world);
    const response = await fetch(`${url}/api/v2/calls/${CALL.first}.json`, { headers: { authorization: `Bearer ${world.tokens.editor}` } });
    const body = await response.text();
    expect(body).not.toMatch(/SQLITE|malformed|at /);
    expect(body).toMatch(/Unexpected error\./);
    const logged = lines.find((l) => JSON.stringify(l).includes('SQLITE_CORRUPT'));
    expect(JSON.stringify(logged)).toMatch(/stack/);
  });
});

describe('unexpected errors on REST routes', () => {
  const UNEXPECTED = JSON.stringify({ error: 'InternalError', description: 'Unexpected error.' });

  /** The error lines logged for a request id, once its request line is there. */
  async function errorLines(lines: Record<string, unknown>[], reqId: string) {
    await expect.poll(() => lines.some((l) => l.msg === 'request' && l.reqId === reqId)).toBe(true);
    return lines.filter((l) => l.reqId === reqId && l.level === 50) as { msg: string; err: { message: string; stack: string } }[];
  }

  it.each([
    ['GET, a store that throws', 'GET', (w: World) => void (w.store.getCall = async () => { throw new Error('disk on fire'); }), /^Error: disk on fire\n\s+at /],
    ['PUT, a store that throws while writing', 'PUT', (w: World) => void (w.store.setCallCustomFields = async () => { throw new Error('disk on fire'); }), /^Error: disk on fire\n\s+at /],
    ['GET, a version out of SafeInt range', 'GET', (w: World) => {
      const getCall = w.store.getCall.bind(w.store);
      w.store.getCall = async (...args) => { const found = (await getCall(...args))!; return { ...found, call: { ...found.call, version: 2 ** 53 } }; };
    }, /SafeInt cannot serialize 9007199254740992\n\s+at /],
    ['PUT with If-Match, a store that throws while reading', 'PUT', (w: World) => void (w.store.getCall = async () => { throw new Error('disk on fire'); }), /^Error: disk on fire\n\s+at /],
  ])('%s: 500 without details, and one error line with the stack and the request id', async (_label, method, breakStore, stack) => {
    const world = await createWorld();
    breakStore(world);
    const { url, lines } = await serve({}, world);
    const response = await fetch(`${url}/api/v2/calls/${CALL.first}.json`, {
      method,
      headers: { authorization: `Bearer ${world.tokens.editor}`, 'content-type': 'application/json', 'x-request-id': 'trace-500', 'if-match': '"2147483648"' },
      body: method === 'PUT' ? JSON.stringify({ call: { custom_fields: [{ field_id: FIELD.callType, value: 'x' }] } }) : undefined,
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe(UNEXPECTED);
    const logged = await errorLines(lines, 'trace-500');
    expect(logged).toHaveLength(1);
    // Where it is caught: the execution (a resolver's error) or the route (graphql-jit reports a serializer's error as its own).
    expect(logged[0]!.msg).toMatch(/^unexpected error in a (resolver|REST route)$/);
    expect(logged[0]!.err.stack).toMatch(stack);
  });

  it('logs an error no resolver raised (a result the route cannot read) with its stack and the request id', async () => {
    const world = await createWorld();
    world.store.getCall = async () => {
      throw new GraphQLError('not a resolver’s expected error');
    };
    const { url, lines } = await serve({}, world);
    const response = await fetch(`${url}/api/v2/calls/${CALL.first}.json`, { headers: { authorization: `Bearer ${world.tokens.editor}`, 'x-request-id': 'trace-501' } });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe(UNEXPECTED);
    const logged = await errorLines(lines, 'trace-501');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.msg).toBe('unexpected error in a REST route');
    expect(logged[0]!.err.stack).toMatch(/^UnexpectedResultError: REST operation failed: not a resolver’s expected error\n\s+at /);
  });
});

describe('/metrics', () => {
  it('counts requests by operation and status, and GraphQL errors by type', async () => {
    const { url, world } = await serve();
    await fetch(`${url}/api/v2/calls/${CALL.first}.json`, { headers: { authorization: `Bearer ${world.tokens.editor}` } });
    await fetch(`${url}/api/v2/calls/${CALL.first}.json`);
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${world.tokens.viewer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation Edit { setCallCustomFields(callId: "${CALL.first}", customFields: []) { __typename } }` }),
    });
    await new Promise((r) => setTimeout(r, 50));
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('callgate_http_requests_total{operation="GET /api/v2/calls/{call_id}.json",status="200"} 1');
    expect(text).toContain('callgate_http_requests_total{operation="rest",status="401"} 1');
    expect(text).toContain('callgate_http_requests_total{operation="graphql Edit",status="200"} 1');
    expect(text).toMatch(/callgate_http_request_duration_seconds_bucket\{le="0\.1",operation="graphql Edit",status="200"\} 1/);
    expect(text).toContain('callgate_graphql_errors_total{type="ForbiddenError"} 1');
    // The store's own counters: SQLite's group commits, or the PostgreSQL pool's connections.
    if (world.store.dialect === 'sqlite') expect(text).toMatch(/callgate_db_stat\{stat="group_commits"\} \d+/);
    else for (const stat of ['pool_connections', 'pool_idle', 'pool_waiting']) expect(text).toMatch(new RegExp(`callgate_db_stat\\{stat="${stat}"\\} \\d+`));
  });

  it('can be protected by a token, or turned off', async () => {
    const token = 'metrics-token-0123456789';
    const { url } = await serve({ metrics: { enabled: true, token } });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    server!.close();
    const off = await serve({ metrics: { enabled: false } });
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
  });
});
