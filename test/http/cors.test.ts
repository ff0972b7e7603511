import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { ConfigError, parseConfig } from '../../src/http/config.js';
import { CORS_MAX_AGE_SECONDS } from '../../src/http/cors.js';
import { basic, CALL, createWorld } from '../support/fixtures.js';
import { rawRequest, serve } from '../support/http.js';

const ALLOWED = 'http://localhost:5173';
const OTHER = 'https://evil.example';

async function served(corsOrigins: string[] = [ALLOWED, 'https://app.example.com']) {
  const world = await createWorld();
  const { url } = await serve(createApp({ store: world.store, logger: false, corsOrigins }));
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    rawRequest(url, { method, path, headers: { 'x-request-id': 'req-1', ...headers }, body });
  const preflight = (path: string, origin: string, method = 'GET') =>
    send('OPTIONS', path, { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' });
  return { world, send, preflight };
}

/** Every header but Date, which moves with the clock. */
const headersOf = (headers: Headers) => [...headers].filter(([name]) => name !== 'date');
const corsHeaders = (headers: Headers) => [...headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary');

describe('CORS preflight', () => {
  it('answers 204 without credentials for an allowed origin, with the route\'s methods and the headers clients send', async () => {
    const { preflight } = await served();
    const answer = await preflight(`/api/v2/calls/${CALL.first}.json`, ALLOWED, 'PUT');
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(Object.fromEntries(corsHeaders(answer.headers))).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, HEAD, PUT, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id, x-graphql-yoga-csrf',
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      vary: 'Origin',
    });
    expect(answer.headers.get('x-request-id')).toBe('req-1');
    expect(answer.headers.get('content-length')).toBeNull();
  });

  it('allows each resource\'s own methods: REST from the route table, /graphql GET and POST, ops GET', async () => {
    const { preflight } = await served();
    const methods = async (path: string) => (await preflight(path, 'https://app.example.com')).headers.get('access-control-allow-methods');
    expect(await methods('/api/v2/calls.json')).toBe('GET, HEAD, OPTIONS');
    expect(await methods('/api/v2/custom_fields.json')).toBe('GET, HEAD, POST, OPTIONS');
    expect(await methods('/api/v2/custom_fields/abc.json')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
    expect(await methods('/api/v2/openapi.json')).toBe('GET, HEAD, OPTIONS');
    expect(await methods('/graphql')).toBe('GET, POST');
    expect(await methods('/healthz')).toBe('GET');
    expect(await methods('/metrics')).toBe('GET');
  });

  it('gives a disallowed origin no CORS headers (only Vary: Origin): the same answer as an OPTIONS without Origin', async () => {
    const { preflight, send } = await served();
    for (const path of [`/api/v2/calls/${CALL.first}.json`, '/graphql', '/healthz']) {
      const refused = await preflight(path, OTHER, 'PUT');
      expect(corsHeaders(refused.headers)).toEqual([['vary', 'Origin']]);
      const plain = await send('OPTIONS', path, { 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' });
      expect([refused.status, headersOf(refused.headers), refused.text]).toEqual([plain.status, headersOf(plain.headers), plain.text]);
    }
  });

  it('is not answered when CORS_ORIGINS is empty (same-origin only)', async () => {
    const { preflight } = await served([]);
    const answer = await preflight('/api/v2/calls.json', ALLOWED);
    expect(answer.status).toBe(401);
    expect(corsHeaders(answer.headers)).toEqual([]);
  });
});

describe('CORS on actual responses', () => {
  const expectCors = (headers: Headers) =>
    expect(Object.fromEntries(corsHeaders(headers))).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'ETag, X-Request-Id, Location, Retry-After',
      vary: 'Origin',
    });

  it('REST: a success with its ETag, a 401 a browser can read, and a 404', async () => {
    const { send, world } = await served();
    const ok = await send('GET', `/api/v2/calls/${CALL.first}.json`, { origin: ALLOWED, authorization: `Bearer ${world.tokens.editor}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBeTruthy();
    expectCors(ok.headers);
    const unauthorized = await send('GET', `/api/v2/calls/${CALL.first}.json`, { origin: ALLOWED });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toBeTruthy();
    expectCors(unauthorized.headers);
    const missing = await send('GET', '/api/v2/nothing.json', { origin: ALLOWED, authorization: `Bearer ${world.tokens.editor}` });
    expect(missing.status).toBe(404);
    expectCors(missing.headers);
  });

  it('GraphQL: the fast path, yoga\'s adapter, a 401 and a CSRF 403', async () => {
    const { send, world } = await served();
    const body = JSON.stringify({ query: '{ viewer { username } }' });
    const json = { 'content-type': 'application/json', accept: 'application/json', 'content-length': String(body.length) };
    const fast = await send('POST', '/graphql', { origin: ALLOWED, authorization: `Bearer ${world.tokens.editor}`, ...json }, body);
    expect(fast.json).toEqual({ data: { viewer: { username: 'editor' } } });
    expectCors(fast.headers);
    const get = `/graphql?query=${encodeURIComponent('{ viewer { username } }')}`;
    const viaYoga = await send('GET', get, { origin: ALLOWED, authorization: `Bearer ${world.tokens.editor}`, accept: 'application/json' });
    expect(viaYoga.status).toBe(200);
    expectCors(viaYoga.headers);
    const unauthorized = await send('POST', '/graphql', { origin: ALLOWED, ...json }, body);
    expect(unauthorized.status).toBe(401);
    expectCors(unauthorized.headers);
    const csrf = await send('GET', get, { origin: ALLOWED, authorization: basic('editor'), accept: 'application/json' });
    expect(csrf.status).toBe(403);
    expectCors(csrf.headers);
  });

  it('ops endpoints', async () => {
    const { send } = await served();
    const health = await send('GET', '/healthz', { origin: ALLOWED });
    expect(health.status).toBe(200);
    expectCors(health.headers);
  });

  it('answers a disallowed origin as a request without Origin, both with Vary: Origin and nothing else of CORS', async () => {
    const { send, world } = await served();
    const requests: [string, string, Record<string, string>][] = [
      ['GET', `/api/v2/calls/${CALL.first}.json`, { authorization: `Bearer ${world.tokens.editor}` }],
      ['GET', `/api/v2/calls/${CALL.first}.json`, {}],
      ['GET', `/graphql?query=${encodeURIComponent('{ viewer { username } }')}`, { authorization: `Bearer ${world.tokens.editor}`, accept: 'application/json' }],
      ['GET', '/healthz', {}],
    ];
    for (const [method, path, headers] of requests) {
      const plain = await send(method, path, headers);
      const other = await send(method, path, { ...headers, origin: OTHER });
      expect(corsHeaders(plain.headers)).toEqual([['vary', 'Origin']]);
      expect([other.status, headersOf(other.headers), other.text]).toEqual([plain.status, headersOf(plain.headers), plain.text]);
    }
  });
});

describe('CORS_ORIGINS', () => {
  const parse = (value: string) => parseConfig({ CORS_ORIGINS: value }).corsOrigins;

  it('is a comma-separated list of exact origins, empty by default', () => {
    expect(parseConfig({}).corsOrigins).toEqual([]);
    expect(parse('http://localhost:5173, https://app.example.com:8443')).toEqual(['http://localhost:5173', 'https://app.example.com:8443']);
  });

  it('refuses * (credentials are allowed), naming the variable', () => {
    expect(() => parse('*')).toThrow(ConfigError);
    expect(() => parse('https://app.example.com,*')).toThrow(/CORS_ORIGINS=.*"\*" cannot be used because credentials are allowed/);
  });

  it.each(['https://app.example.com/', 'https://app.example.com/app', 'app.example.com', 'HTTPS://APP.example.com', 'https://app.example.com:443', 'ftp://files.example.com', 'null'])(
    'refuses %s: not scheme://host[:port] as a browser sends it',
    (value) => {
      expect(() => parse(value)).toThrow(/CORS_ORIGINS=.*is not an origin: use scheme:\/\/host\[:port\] with no path/);
    },
  );
});
