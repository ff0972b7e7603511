import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { browserTests, launchChromium, onlyLocalRequests } from '../support/browser.js';
import { CALL, createWorld, FIELD, type World } from '../support/fixtures.js';
import { serve } from '../support/http.js';

/**
 * A web app's page: on load it calls callgate (its URL, a Bearer token and a
 * call id come in the query string) as a frontend would, GraphQL by POST and
 * GET, REST by GET and a PUT with If-Match, and leaves what it could read in
 * `window.results`. A call the browser blocks leaves the error's name.
 */
const APP_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>a frontend</title></head><body>
<script type="module">
  const params = new URLSearchParams(location.search);
  const api = params.get('api');
  const auth = { authorization: 'Bearer ' + params.get('token') };
  const call = params.get('call');
  async function read(request) {
    try {
      const response = await request();
      return {
        status: response.status,
        etag: response.headers.get('etag'),
        requestId: response.headers.get('x-request-id'),
        body: await response.json(),
      };
    } catch (error) {
      return { error: error.name };
    }
  }
  const results = {};
  results.graphqlPost = await read(() => fetch(api + '/graphql', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query Call($id: ID!) { call(id: $id) { id version } }', variables: { id: call } }),
  }));
  results.graphqlGet = await read(() => fetch(api + '/graphql?query=' + encodeURIComponent('{ viewer { username } }'), { headers: auth }));
  results.restGet = await read(() => fetch(api + '/api/v2/calls/' + call + '.json', { headers: auth }));
  results.restPut = await read(() => fetch(api + '/api/v2/calls/' + call + '.json', {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json', 'if-match': results.restGet.etag ?? '"none exposed"' },
    body: JSON.stringify({ call: { custom_fields: [{ name: 'Payment status', value: 'Paid' }] } }),
  }));
  window.results = results;
</script>
</body></html>`;

/** A static server for the app's page on its own port of 127.0.0.1: another origin than callgate's. */
async function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(APP_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.skipIf(!browserTests)('a page on another origin, in Chromium, with a Bearer token', () => {
  let browser: Browser;
  let world: World;
  let api: string;
  let allowed: Awaited<ReturnType<typeof pageServer>>;
  let disallowed: Awaited<ReturnType<typeof pageServer>>;

  beforeAll(async () => {
    [browser, world, allowed, disallowed] = await Promise.all([launchChromium(), createWorld(), pageServer(), pageServer()]);
    ({ url: api } = await serve(createApp({ store: world.store, logger: false, corsOrigins: [allowed.origin] })));
  });

  afterAll(async () => {
    await browser?.close();
    for (const pages of [allowed, disallowed]) pages?.server.close();
  });

  /** Opens the app's page from `origin` and answers what its calls read. */
  async function runPage(origin: string) {
    const context = await browser.newContext();
    const elsewhere = await onlyLocalRequests(context);
    const page = await context.newPage();
    const query = new URLSearchParams({ api, token: world.tokens.editor, call: CALL.first });
    await page.goto(`${origin}/?${query}`);
    await page.waitForFunction(() => 'results' in window, undefined, { timeout: 20_000 });
    const results = await page.evaluate(() => (window as unknown as { results: Record<string, any> }).results);
    await context.close();
    expect(elsewhere).toEqual([]);
    return results;
  }

  const paymentStatus = async () => (await world.store.getCall(world.tenantId, CALL.first))!.customFields.find((v) => v.fieldId === FIELD.paymentStatus)?.value;

  it('reads GraphQL (POST and GET) and REST (GET, and PUT with If-Match) answers, ETag and request id included, from an allowed origin', async () => {
    const results = await runPage(allowed.origin);
    expect(results.graphqlPost).toMatchObject({ status: 200, body: { data: { call: { id: CALL.first, version: 1 } } } });
    expect(results.graphqlPost.requestId).toMatch(/\S/);
    expect(results.graphqlGet).toMatchObject({ status: 200, body: { data: { viewer: { username: 'editor' } } } });
    // The ETag header is exposed to the page: it read it and sent it back as If-Match.
    expect(results.restGet).toMatchObject({ status: 200, etag: expect.stringMatching(/^"[^"]+"$/), body: { call: { call_id: CALL.first } } });
    expect(results.restPut).toMatchObject({ status: 200, etag: expect.stringMatching(/^"[^"]+"$/) });
    expect(results.restPut.etag).not.toBe(results.restGet.etag);
    expect(results.restPut.body.call.custom_fields).toContainEqual({ field_id: FIELD.paymentStatus, name: 'Payment status', value: 'Paid' });
    expect(await paymentStatus()).toBe('Paid');
  });

  it('is blocked by the browser from an origin CORS_ORIGINS does not list, and writes nothing', async () => {
    const before = await world.store.getCall(world.tenantId, CALL.first);
    const results = await runPage(disallowed.origin);
    expect(results).toEqual({
      graphqlPost: { error: 'TypeError' },
      graphqlGet: { error: 'TypeError' },
      restGet: { error: 'TypeError' },
      restPut: { error: 'TypeError' },
    });
    expect(await world.store.getCall(world.tenantId, CALL.first)).toEqual(before);
  });
});
