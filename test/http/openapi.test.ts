import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PATH, openApiDocument } from '../../src/http/openapi.js';
import type { OperationRunner } from '../../src/http/rest/operation.js';
import { restRoutes } from '../../src/http/routes.js';
import { documentProblems, OPENAPI_FILE, printDocument } from '../../scripts/openapi.js';
import { createTestApp } from '../support/fixtures.js';
import { rawRequest } from '../support/http.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch', 'options', 'trace'];

/** The route table without a yoga behind it: only paths and methods are read. */
const routes = restRoutes({ prepare: (document: unknown) => document, run: () => Promise.reject(new Error('not run')) } as unknown as OperationRunner);

/** path -> sorted methods, as the route table serves them (HEAD wherever GET) and as the description lists them. */
const served = () =>
  Object.fromEntries([
    ...routes.map((route) => [route.path, Object.keys(route.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).sort()]),
    [OPENAPI_PATH, ['GET', 'HEAD']],
  ]);
const described = () =>
  Object.fromEntries(
    Object.entries(openApiDocument.paths).map(([path, item]) => [path, Object.keys(item).filter((key) => HTTP_METHODS.includes(key)).map((m) => m.toUpperCase()).sort()]),
  );

describe('the OpenAPI description', () => {
  it('has exactly the paths and methods the route table serves (HEAD wherever GET), and its own', () => {
    expect(described()).toEqual(served());
  });

  it('names each path as its route matches it', () => {
    for (const route of routes) {
      const example = route.path.replace(/\{[^}]+\}/g, '0f0e0d0c-0000-4000-8000-000000000001');
      expect(route.pattern.test(example), route.path).toBe(true);
    }
  });

  it('is valid OpenAPI 3.1 (@readme/openapi-parser)', async () => {
    expect(await documentProblems(openApiDocument)).toBeNull();
  });

  it('fails validation when broken, so the check above can fail', async () => {
    const broken = structuredClone(openApiDocument) as { paths: Record<string, any> };
    broken.paths['/api/v2/calls.json'].get.responses = { '200': { content: {} } };
    expect(await documentProblems(broken)).toMatch(/description|responses/i);
  });

  it('is committed as printed (npm run openapi:print)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(printDocument());
  });
});

describe(`GET ${OPENAPI_PATH}`, () => {
  it('serves the description without credentials, with an ETag, Cache-Control and 304 on If-None-Match', async () => {
    const t = await createTestApp();
    const first = await rawRequest(t.url, { method: 'GET', path: OPENAPI_PATH, headers: {} });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.json).toEqual(JSON.parse(printDocument()));
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{22}"$/);

    const again = await rawRequest(t.url, { method: 'GET', path: OPENAPI_PATH, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');

    const head = await rawRequest(t.url, { method: 'HEAD', path: OPENAPI_PATH, headers: {} });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('etag')).toBe(etag);
  });

  it('answers other methods 405 with Allow: GET, HEAD', async () => {
    const t = await createTestApp();
    const posted = await rawRequest(t.url, { method: 'POST', path: OPENAPI_PATH, headers: {} });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect(posted.json.error).toBe('MethodNotAllowed');
  });

  it('is only that path: its neighbours still need credentials', async () => {
    const t = await createTestApp();
    const other = await rawRequest(t.url, { method: 'GET', path: '/api/v2/openapi.yaml', headers: {} });
    expect(other.status).toBe(401);
  });
});
