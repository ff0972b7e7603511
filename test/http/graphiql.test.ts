import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createYoga } from 'graphql-yoga';
import { beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';
import { createApp } from '../../src/http/app.js';
import { createGraphiQLPage, pageEncoding } from '../../src/http/graphiql.js';
import { createWorld } from '../support/fixtures.js';
import { serve } from '../support/http.js';

const ALLOWED_ORIGIN = 'http://localhost:5173';

/** One GET over node:http, answering the body's bytes as sent (fetch would decompress them). */
function get(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('the GraphiQL page', () => {
  let url: string;
  let identity: Awaited<ReturnType<typeof get>>;
  const page = (headers: Record<string, string> = {}) => get(url, '/graphql', { ...HTML, ...headers });

  beforeAll(async () => {
    const world = await createWorld();
    ({ url } = await serve(createApp({ store: world.store, logger: false, corsOrigins: [ALLOWED_ORIGIN] })));
    identity = await page();
  });

  it('is sent as is when the browser accepts no compression, with a strong ETag to revalidate', () => {
    expect(identity.status).toBe(200);
    expect(identity.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', vary: 'Origin, Accept-Encoding' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(Number(identity.headers['content-length'])).toBe(identity.body.length);
    expect(identity.body.toString('utf8')).toContain('<title>callgate GraphiQL</title>');
  });

  it.each([
    ['gzip, deflate, br, zstd', 'br', brotliDecompressSync],
    ['br', 'br', brotliDecompressSync],
    ['*', 'br', brotliDecompressSync],
    ['gzip', 'gzip', gunzipSync],
    ['br;q=0, gzip', 'gzip', gunzipSync],
    ['gzip;q=1, br;q=0.5', 'gzip', gunzipSync],
  ])('Accept-Encoding %s gets %s, the same page once decompressed', async (acceptEncoding, encoding, decompress) => {
    const answer = await page({ 'accept-encoding': acceptEncoding });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ 'content-encoding': encoding, 'cache-control': 'no-cache', vary: 'Origin, Accept-Encoding' });
    expect(answer.headers.etag).toBe(identity.headers.etag!.replace(/"$/, `-${encoding}"`));
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(answer.body.length).toBeLessThan(identity.body.length / 3);
    expect(decompress(answer.body).equals(identity.body)).toBe(true);
  });

  it.each(['identity', 'deflate', 'gzip;q=0, br;q=0', ''])('Accept-Encoding "%s" gets the page uncompressed', async (acceptEncoding) => {
    const answer = await page({ 'accept-encoding': acceptEncoding });
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers.etag).toBe(identity.headers.etag);
    expect(answer.body.equals(identity.body)).toBe(true);
  });

  it('answers 304 with no body to an If-None-Match naming the ETag of the encoding it would send', async () => {
    const br = await page({ 'accept-encoding': 'br' });
    for (const ifNoneMatch of [br.headers.etag!, `W/${br.headers.etag}`, `"other", ${br.headers.etag}`, '*']) {
      const answer = await page({ 'accept-encoding': 'br', 'if-none-match': ifNoneMatch });
      expect(answer.status, ifNoneMatch).toBe(304);
      expect(answer.body.length).toBe(0);
      expect(answer.headers).toMatchObject({ etag: br.headers.etag, 'cache-control': 'no-cache', vary: 'Origin, Accept-Encoding' });
    }
    const plain = await page({ 'if-none-match': identity.headers.etag! });
    expect(plain.status).toBe(304);
  });

  it('answers the whole page when If-None-Match names another encoding or an older page', async () => {
    for (const ifNoneMatch of [identity.headers.etag!, '"an-older-page-br"']) {
      const answer = await page({ 'accept-encoding': 'br', 'if-none-match': ifNoneMatch });
      expect(answer.status, ifNoneMatch).toBe(200);
      expect(brotliDecompressSync(answer.body).equals(identity.body)).toBe(true);
    }
  });

  it('keeps the CORS headers for an allowed origin, on 200 and 304', async () => {
    const answer = await page({ origin: ALLOWED_ORIGIN, 'accept-encoding': 'gzip' });
    expect(answer.headers).toMatchObject({ 'access-control-allow-origin': ALLOWED_ORIGIN, vary: 'Origin, Accept-Encoding' });
    const revalidated = await page({ origin: ALLOWED_ORIGIN, 'accept-encoding': 'gzip', 'if-none-match': answer.headers.etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers).toMatchObject({ 'access-control-allow-origin': ALLOWED_ORIGIN, vary: 'Origin, Accept-Encoding' });
  });

  it('is shown on yoga\'s terms only: a GET of /graphql that accepts HTML', async () => {
    const json = await get(url, '/graphql?query=%7B__typename%7D', { accept: 'application/json', 'accept-encoding': 'br' });
    expect(json.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
    expect(json.headers.etag).toBeUndefined();
    const elsewhere = await get(url, '/graphiql', { ...HTML, 'accept-encoding': 'br' });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers['content-encoding']).toBeUndefined();
  });

  it('varies by Accept-Encoding alone when CORS is off', async () => {
    const world = await createWorld();
    const { url: sameOrigin } = await serve(createApp({ store: world.store, logger: false }));
    const answer = await get(sameOrigin, '/graphql', HTML);
    expect(answer.status).toBe(200);
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is not served when introspection is off', async () => {
    const world = await createWorld();
    const { url: closed } = await serve(createApp({ store: world.store, logger: false, introspection: false }));
    const answer = await get(closed, '/graphql', { ...HTML, 'accept-encoding': 'br' });
    expect(answer.headers['content-type']).not.toMatch(/text\/html/);
    expect(answer.headers.etag).toBeUndefined();
    expect(answer.body.toString('utf8')).not.toContain('GraphiQL');
  });
});

describe('createGraphiQLPage', () => {
  it('renders the page once, however many views ask for it at the same time', async () => {
    let renders = 0;
    const render = async () => {
      renders += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return '<!doctype html><title>page</title>';
    };
    const yoga = createYoga({ schema, graphiql: false, plugins: [createGraphiQLPage({ endpoint: '/graphql', render, onError: () => {} }).plugin] });
    const view = async (encoding: string) => {
      const answer = await yoga.fetch('http://callgate.test/graphql', { headers: { ...HTML, 'accept-encoding': encoding } });
      const body = Buffer.from(await answer.arrayBuffer());
      const sent = answer.headers.get('content-encoding');
      return { sent, html: (sent === 'br' ? brotliDecompressSync(body) : sent === 'gzip' ? gunzipSync(body) : body).toString('utf8') };
    };
    expect(await Promise.all([view('br'), view('gzip'), view('identity'), view('br')])).toEqual(
      ['br', 'gzip', null, 'br'].map((sent) => ({ sent, html: '<!doctype html><title>page</title>' })),
    );
    expect(renders).toBe(1);
  });

  it('answers 500 without details when rendering fails, reports the cause, and tries again on the next view', async () => {
    let renders = 0;
    const reported: unknown[] = [];
    const render = async () => {
      renders += 1;
      if (renders === 1) throw new Error('bundle not found');
      return '<!doctype html>';
    };
    const page = createGraphiQLPage({ endpoint: '/graphql', render, onError: (error) => reported.push(error) });
    const yoga = createYoga({ schema, graphiql: false, plugins: [page.plugin] });
    const view = () => yoga.fetch('http://callgate.test/graphql', { headers: HTML });
    const failed = await view();
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('The GraphiQL page could not be rendered; the server log has the cause.');
    expect(reported).toEqual([new Error('bundle not found')]);
    expect((await view()).status).toBe(200);
    expect(renders).toBe(2);
  });
});

describe('pageEncoding', () => {
  it.each([
    [null, 'identity'],
    ['', 'identity'],
    ['gzip, deflate, br', 'br'],
    ['GZIP', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['*;q=0.1', 'br'],
    ['*, br;q=0', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['br;q=nonsense', 'identity'],
    ['deflate, zstd', 'identity'],
  ])('%j -> %s', (acceptEncoding, expected) => {
    expect(pageEncoding(acceptEncoding)).toBe(expected);
  });
});
