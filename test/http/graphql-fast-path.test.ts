import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Request as WhatwgRequest, Response as WhatwgResponse } from '@whatwg-node/fetch';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphQLFastPath } from '../../src/http/graphql-fast-path.js';
import { StoreUnavailableError } from '../../src/store/call-store.js';
import { CALL, FIELD, basic, createTestApp } from '../support/fixtures.js';
import { failCallReads } from '../support/database.js';

/**
 * The Node entry serves `POST /graphql` with an `application/json` body of a
 * declared length through yoga's request handler directly (no Fetch Request,
 * AbortSignal or body streams); every other request goes through yoga's
 * Node adapter. The same request sent with a chunked body takes the adapter,
 * so each case below goes to two identical worlds, one per path, and the
 * answers must be the same bytes: status line, headers and body.
 */

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

interface Side {
  t: TestApp;
  server: Server;
  port: number;
}

let fast: Side;
let adapter: Side;

async function side(options: Parameters<typeof createTestApp>[0] = {}): Promise<Side> {
  const t = await createTestApp(options);
  const server = createServer(t.app.handleNode);
  // yoga keeps streamed answers (text/event-stream, multipart) open for keep-alive despite Connection: close
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { t, server, port: (server.address() as { port: number }).port };
}

/** Sends raw HTTP/1.1 on a fresh connection and reads until the server closes it. */
function exchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no complete answer within 10 s'));
    }, 10_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

type Who = 'editor' | 'viewer' | 'admin' | 'anonymous' | 'unknown token' | 'wrong password';

interface Case {
  body: string | Buffer;
  as?: Who;
  headers?: Record<string, string>;
}

function authorization(t: TestApp, who: Who): Record<string, string> {
  switch (who) {
    case 'anonymous':
      return {};
    case 'unknown token':
      return { authorization: 'Bearer cg_not-a-token' };
    case 'wrong password':
      return { authorization: basic('editor', 'not the password') };
    default:
      return { authorization: `Bearer ${t.tokens[who]}` };
  }
}

function rawRequest(t: TestApp, c: Case, framing: 'length' | 'chunked'): Buffer {
  const body = Buffer.isBuffer(c.body) ? c.body : Buffer.from(c.body, 'utf8');
  const headers: Record<string, string> = {
    host: 'callgate.test',
    connection: 'close',
    'content-type': 'application/json',
    'x-request-id': 'fast-path-test',
    ...authorization(t, c.as ?? 'editor'),
    ...c.headers,
  };
  if (framing === 'length') headers['content-length'] = String(body.length);
  else headers['transfer-encoding'] = 'chunked';
  const head = `POST /graphql HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  const chunk = body.length > 0 ? [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')] : [];
  const payload = framing === 'length' ? body : Buffer.concat([...chunk, Buffer.from('0\r\n\r\n')]);
  return Buffer.concat([Buffer.from(head), payload]);
}

/** The answer without what differs by clock and chance: the Date header and a request id the server made up. */
const comparable = (answer: string) =>
  answer.replace(/^date: .*\r\n/im, '').replace(/^(x-request-id: )[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\r\n/im, '$1(fresh)\r\n');

async function bothPaths(c: Case, [viaFast, viaYoga]: [Side, Side] = [fast, adapter]) {
  const [viaFastPath, viaAdapter] = await Promise.all([
    exchange(viaFast.port, rawRequest(viaFast.t, c, 'length')),
    exchange(viaYoga.port, rawRequest(viaYoga.t, c, 'chunked')),
  ]);
  return { viaFastPath: comparable(viaFastPath), viaAdapter: comparable(viaAdapter) };
}

const json = (value: unknown) => JSON.stringify(value);
const callQuery = `query Call($id: ID!) { call(id: $id) { id version direction setupTime customFields { fieldId name value } } }`;
const setNotes = `mutation Set($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
  setCallCustomFields(callId: $callId, customFields: $customFields) {
    __typename
    ... on SetCallCustomFieldsSuccess { call { version customFields { name value } } }
    ... on Error { message }
    ... on InvalidRecordError { details { path message } }
  }
}`;

const ACCEPTS = [
  undefined,
  '*/*',
  'application/json',
  'application/graphql-response+json',
  'application/graphql-response+json, application/json;q=0.9',
  'application/json;charset=latin1',
  'text/html',
  'application/xml',
  'multipart/mixed',
  'text/event-stream',
];

const CASES: [string, Case][] = [
  ['a call query', { body: json({ query: callQuery, variables: { id: CALL.first } }) }],
  ['an unknown call', { body: json({ query: callQuery, variables: { id: '99999999-9999-4999-8999-999999999999' } }) }],
  ['another tenant’s call', { body: json({ query: callQuery, variables: { id: CALL.otherTenant } }) }],
  ['a successful mutation', { body: json({ query: setNotes, variables: { callId: CALL.first, customFields: [{ fieldId: FIELD.notes, value: 'fast' }] } }) }],
  ['a mutation refused as invalid', { body: json({ query: setNotes, variables: { callId: CALL.first, customFields: [{ fieldId: FIELD.notes, value: 'far too long for ten' }] } }) }],
  ['a mutation a viewer may not make', { as: 'viewer', body: json({ query: setNotes, variables: { callId: CALL.first, customFields: [{ name: 'Notes', value: 'x' }] } }) }],
  ['variables and operation name given as null', { body: json({ query: '{ viewer { username } }', variables: null, operationName: null }) }],
  ['resolver errors next to data, as graphql-response+json', {
    headers: { accept: 'application/graphql-response+json' },
    body: json({ query: `{ call(id: "${CALL.first}") { a: customField(name: "Nope") { value } b: customField(name: "Notes") { value } } }` }),
  }],
  ['HTTP Basic credentials', { headers: { authorization: basic('editor') }, body: json({ query: '{ viewer { username role } }' }) }],
  ['a syntax error', { body: json({ query: '{ call(id: ' }) }],
  ['an unknown field', { body: json({ query: '{ viewer { nope } }' }) }],
  ['a variable of the wrong type', { body: json({ query: callQuery, variables: { id: 42 } }) }],
  ['a missing variable', { body: json({ query: callQuery }) }],
  ['an unknown operation name', { body: json({ query: callQuery, operationName: 'Other', variables: { id: CALL.first } }) }],
  ['two operations and no name', { body: json({ query: `${callQuery} query B { viewer { username } }`, variables: { id: CALL.first } }) }],
  ['the operation chosen by name', { body: json({ query: `${callQuery} query B { viewer { username } }`, operationName: 'B' }) }],
  ['no query', { body: json({ variables: {} }) }],
  ['a query that is not a string', { body: json({ query: 42 }) }],
  ['variables that are not an object', { body: json({ query: callQuery, variables: [CALL.first] }) }],
  ['extensions that are not an object', { body: json({ query: '{ viewer { username } }', extensions: 'x' }) }],
  ['an unexpected parameter', { body: json({ query: '{ viewer { username } }', extra: 1 }) }],
  ['invalid JSON', { body: '{"query": "{ viewer { username } }",' }],
  ['an empty body', { body: '' }],
  ['a JSON null', { body: 'null' }],
  ['a JSON string', { body: '"{ viewer { username } }"' }],
  ['a batch (batching is off)', { body: json([{ query: '{ viewer { username } }' }, { query: '{ viewer { role } }' }]) }],
  ['a byte-order mark', { body: `\uFEFF${json({ query: '{ viewer { username } }' })}` }],
  ['bytes that are not UTF-8', { body: Buffer.concat([Buffer.from('{"query": "{ viewer { username } }", "variables": {"x": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]) }],
  ['non-ASCII text', { body: json({ query: callQuery, variables: { id: 'Grüße 👋' } }) }],
  ['introspection', { body: json({ query: '{ __schema { queryType { name } } }' }) }],
  ['a query over the depth limit', { body: json({ query: `{ __type(name: "Call") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }` }) }],
  ['a query over the alias limit', { body: json({ query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { username }`).join(' ')} }` }) }],
  ['a subscription', { body: json({ query: 'subscription { calls }' }) }],
  ['no credentials', { as: 'anonymous', body: json({ query: '{ viewer { username } }' }) }],
  ['an unknown bearer token', { as: 'unknown token', body: json({ query: '{ viewer { username } }' }) }],
  ['a wrong password', { as: 'wrong password', body: json({ query: '{ viewer { username } }' }) }],
  ['a charset parameter', { headers: { 'content-type': 'application/json; charset=utf-8' }, body: json({ query: '{ viewer { username } }' }) }],
  ['an upper-case media type', { headers: { 'content-type': 'Application/JSON' }, body: json({ query: '{ viewer { username } }' }) }],
  ['a client request id that is not a token', { headers: { 'x-request-id': 'not a token!' }, body: json({ query: '{ viewer { username } }' }) }],
  ...ACCEPTS.map((accept): [string, Case] => [
    `Accept: ${accept ?? '(none)'} on success`,
    { headers: accept === undefined ? {} : { accept }, body: json({ query: callQuery, variables: { id: CALL.first } }) },
  ]),
  ...ACCEPTS.map((accept): [string, Case] => [
    `Accept: ${accept ?? '(none)'} on a request error`,
    { headers: accept === undefined ? {} : { accept }, body: json({ query: '{ viewer { nope } }' }) },
  ]),
];

/**
 * The requests the fast path executes itself through the envelop pipeline:
 * well-formed parameters, an Accept the single JSON result answers, valid
 * credentials, a query or mutation that parses and validates. Every other
 * length-framed request goes to yoga's request handler before anything runs.
 */
const DIRECT = new Set([
  'a call query',
  'variables and operation name given as null',
  'resolver errors next to data, as graphql-response+json',
  'HTTP Basic credentials',
  'an unknown call',
  'another tenant’s call',
  'a successful mutation',
  'a mutation refused as invalid',
  'a mutation a viewer may not make',
  'a variable of the wrong type',
  'a missing variable',
  'the operation chosen by name',
  'bytes that are not UTF-8',
  'non-ASCII text',
  'introspection',
  'a charset parameter',
  'a client request id that is not a token',
  ...[undefined, '*/*', 'application/json', 'application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9'].map(
    (accept) => `Accept: ${accept ?? '(none)'} on success`,
  ),
]);

describe('POST /graphql: the fast path answers exactly as yoga’s Node adapter', () => {
  beforeAll(async () => {
    [fast, adapter] = await Promise.all([side(), side()]);
  });

  afterAll(async () => {
    for (const s of [fast, adapter]) await new Promise((resolve) => s.server.close(resolve));
  });

  // In order: the worlds change together (the mutations), so both sides stay alike.
  for (const [name, c] of CASES) {
    it(name, async () => {
      const before = fast.t.app.graphqlDirectExecutions();
      const { viaFastPath, viaAdapter } = await bothPaths(c);
      expect(viaFastPath).toMatch(/^HTTP\/1\.1 \d{3} /);
      expect(viaFastPath).toBe(viaAdapter);
      expect({ executedDirectly: fast.t.app.graphqlDirectExecutions() - before }).toEqual({ executedDirectly: DIRECT.has(name) ? 1 : 0 });
    });
  }

  it('a database that fails while a query runs: the same 503', async () => {
    const undo = [fast, adapter].map((side) => failCallReads(side.t.store, () => new StoreUnavailableError('connection refused')));
    try {
      const before = fast.t.app.graphqlDirectExecutions();
      const { viaFastPath, viaAdapter } = await bothPaths({ body: json({ query: callQuery, variables: { id: CALL.first } }) });
      expect(viaFastPath).toMatch(/^HTTP\/1\.1 503 /);
      expect(viaFastPath).toBe(viaAdapter);
      expect(fast.t.app.graphqlDirectExecutions() - before).toBe(1);
    } finally {
      for (const restore of undo) restore();
    }
  });

  it('stored the same on both sides', async () => {
    expect(await fast.t.stored(CALL.first)).toEqual(await adapter.t.stored(CALL.first));
    expect((await fast.t.stored(CALL.first))?.values[FIELD.notes]).toBe('fast');
  });
});

/**
 * With trusted documents (PERSISTED_DOCUMENTS) the fast path runs a listed
 * document named by its id itself, and in require mode hands query text from
 * anyone but an admin to yoga, whose persisted-operations plugin refuses it.
 */
describe('trusted documents: the fast path answers as yoga and does not bypass require mode', () => {
  const viewerDoc = '{ viewer { username role } }';
  const setNotesByVariable = `mutation SetNotes($callId: ID!, $notes: String) { setCallCustomFields(callId: $callId, customFields: [{ fieldId: "${FIELD.notes}", value: $notes }]) { __typename } }`;
  const subscriptionDoc = 'subscription { calls }';
  const idOf = (document: string) => `sha256:${createHash('sha256').update(document).digest('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'callgate-fast-path-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const manifest = join(dir, 'persisted-documents.json');
  writeFileSync(manifest, JSON.stringify(Object.fromEntries([viewerDoc, setNotesByVariable, subscriptionDoc, callQuery].map((d) => [idOf(d), d]))));
  const extension = (document: string) => ({ persistedQuery: { version: 1, sha256Hash: idOf(document) } });

  type Expected = { status: number; direct: 0 | 1 };
  const CASES: [string, Case, { require: Expected; allow: Expected }][] = [
    ['a listed mutation by documentId', { body: json({ documentId: idOf(setNotesByVariable), variables: { callId: CALL.first, notes: 'by id' } }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['query text from an editor', { body: json({ query: viewerDoc }) }, { require: { status: 400, direct: 0 }, allow: { status: 200, direct: 1 } }],
    ['query text from a viewer', { as: 'viewer', body: json({ query: viewerDoc }) }, { require: { status: 400, direct: 0 }, allow: { status: 200, direct: 1 } }],
    ['introspection from an editor', { body: json({ query: '{ __schema { queryType { name } } }' }) }, { require: { status: 400, direct: 0 }, allow: { status: 200, direct: 1 } }],
    ['a mutation as text from an editor', { body: json({ query: setNotes, variables: { callId: CALL.first, customFields: [{ fieldId: FIELD.notes, value: 'text' }] } }) }, { require: { status: 400, direct: 0 }, allow: { status: 200, direct: 1 } }],
    ['query text from an admin', { as: 'admin', body: json({ query: viewerDoc }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['introspection from an admin', { as: 'admin', body: json({ query: '{ __schema { queryType { name } } }' }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['a listed documentId', { body: json({ documentId: idOf(viewerDoc) }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['a listed documentId with variables and operation name', { body: json({ documentId: idOf(callQuery), variables: { id: CALL.first }, operationName: 'Call' }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['a listed documentId with a variable of the wrong type', { body: json({ documentId: idOf(callQuery), variables: { id: 42 } }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['a listed documentId with an unknown operation name', { body: json({ documentId: idOf(callQuery), operationName: 'Other', variables: { id: CALL.first } }) }, { require: { status: 400, direct: 0 }, allow: { status: 400, direct: 0 } }],
    ['a listed subscription by documentId', { body: json({ documentId: idOf(subscriptionDoc) }) }, { require: { status: 200, direct: 0 }, allow: { status: 200, direct: 0 } }],
    ['a listed persisted query extension', { body: json({ extensions: extension(viewerDoc) }) }, { require: { status: 200, direct: 1 }, allow: { status: 200, direct: 1 } }],
    ['a persisted query extension with another version', { body: json({ extensions: { persistedQuery: { version: 2, sha256Hash: idOf(viewerDoc) } } }) }, { require: { status: 200, direct: 0 }, allow: { status: 200, direct: 0 } }],
    ['extensions beside the persisted query', { body: json({ extensions: { ...extension(viewerDoc), tracing: true } }) }, { require: { status: 200, direct: 0 }, allow: { status: 200, direct: 0 } }],
    ['a documentId and a persisted query extension', { body: json({ documentId: idOf(viewerDoc), extensions: extension(callQuery) }) }, { require: { status: 200, direct: 0 }, allow: { status: 200, direct: 0 } }],
    ['a documentId and query text', { body: json({ documentId: idOf(viewerDoc), query: '{ viewer { username } }' }) }, { require: { status: 400, direct: 0 }, allow: { status: 200, direct: 0 } }],
    ['a documentId that is not a string', { body: json({ documentId: 42 }) }, { require: { status: 400, direct: 0 }, allow: { status: 400, direct: 0 } }],
    ['a documentId and an unexpected parameter', { body: json({ documentId: idOf(viewerDoc), extra: 1 }) }, { require: { status: 200, direct: 0 }, allow: { status: 200, direct: 0 } }],
    ['an unknown documentId', { body: json({ documentId: `sha256:${'0'.repeat(64)}` }) }, { require: { status: 400, direct: 0 }, allow: { status: 400, direct: 0 } }],
    ['an unknown persisted query extension', { body: json({ extensions: extension('{ viewer { role } }') }) }, { require: { status: 400, direct: 0 }, allow: { status: 400, direct: 0 } }],
    ['neither text nor id', { body: json({ variables: {} }) }, { require: { status: 400, direct: 0 }, allow: { status: 400, direct: 0 } }],
    ['a listed documentId without credentials', { as: 'anonymous', body: json({ documentId: idOf(viewerDoc) }) }, { require: { status: 401, direct: 0 }, allow: { status: 401, direct: 0 } }],
    ['a listed documentId as text/html', { headers: { accept: 'text/html' }, body: json({ documentId: idOf(viewerDoc) }) }, { require: { status: 406, direct: 0 }, allow: { status: 406, direct: 0 } }],
  ];

  for (const mode of ['require', 'allow'] as const) {
    describe(`PERSISTED_DOCUMENTS_MODE=${mode}`, () => {
      let pair: [Side, Side];

      beforeAll(async () => {
        const options = { persistedDocuments: { paths: [manifest], mode } };
        pair = await Promise.all([side(options), side(options)]);
      });

      afterAll(async () => {
        for (const s of pair) await new Promise((resolve) => s.server.close(resolve));
      });

      // In order: the worlds change together (the mutations), so both sides stay alike.
      for (const [name, c, expected] of CASES) {
        it(name, async () => {
          const [fastSide] = pair;
          const before = fastSide.t.app.graphqlDirectExecutions();
          const { viaFastPath, viaAdapter } = await bothPaths(c, pair);
          expect(viaFastPath).toMatch(new RegExp(`^HTTP/1\\.1 ${expected[mode].status} `));
          expect(viaFastPath).toBe(viaAdapter);
          expect({ executedDirectly: fastSide.t.app.graphqlDirectExecutions() - before }).toEqual({ executedDirectly: expected[mode].direct });
        });
      }

      it(mode === 'require' ? 'stored what came by id, not the text after it' : 'stored the text after what came by id', async () => {
        expect(await pair[0].t.stored(CALL.first)).toEqual(await pair[1].t.stored(CALL.first));
        expect((await pair[0].t.stored(CALL.first))?.values[FIELD.notes]).toBe(mode === 'require' ? 'by id' : 'text');
      });
    });
  }
});

describe('what the direct path leaves out', () => {
  it('no plugin has a yoga hook it skips, beyond the ones it stands in for', async () => {
    // The direct path runs the envelop pipeline itself: yoga's request hooks (credentials, CSRF, routing,
    // body parsing, parameter checks) are decided before it, its result processor is called directly.
    // A new plugin with one of these hooks would be skipped there: review graphql-fast-path.ts, then this list.
    const { app } = await createTestApp();
    const plugins = (app.yoga as unknown as { plugins: Record<string, unknown>[] }).plugins;
    const hooks = ['onRequest', 'onRequestParse', 'onParams', 'onExecutionResult', 'onResultProcess', 'onResponse'] as const;
    const withHook = Object.fromEntries(hooks.map((hook) => [hook, plugins.filter((plugin) => typeof plugin?.[hook] === 'function').length]));
    expect(withHook).toEqual({ onRequest: 4, onRequestParse: 8, onParams: 1, onExecutionResult: 0, onResultProcess: 1, onResponse: 0 });
  });

  it('with trusted documents, one more: yoga’s persisted-operations plugin, which the direct path stands in for', async () => {
    const { app } = await createTestApp({ persistedDocuments: { paths: [], mode: 'require', documents: new Map() } });
    const plugins = (app.yoga as unknown as { plugins: Record<string, unknown>[] }).plugins;
    const hooks = ['onRequest', 'onRequestParse', 'onParams', 'onExecutionResult', 'onResultProcess', 'onResponse'] as const;
    const withHook = Object.fromEntries(hooks.map((hook) => [hook, plugins.filter((plugin) => typeof plugin?.[hook] === 'function').length]));
    expect(withHook).toEqual({ onRequest: 4, onRequestParse: 8, onParams: 2, onExecutionResult: 0, onResultProcess: 1, onResponse: 0 });
  });
});

describe('what fails before execution is yoga\'s to answer', () => {
  it('a context that cannot be built: yoga answers, handed the credentials already checked', async () => {
    const handed: Record<string, unknown>[] = [];
    const stubYoga = {
      handleRequest: (_request: Request, serverContext: Record<string, unknown>) => {
        handed.push(serverContext);
        return new WhatwgResponse('yoga', { status: 200 }) as unknown as Response;
      },
      getEnveloped: () => ({
        schema: {},
        parse,
        validate: () => [],
        contextFactory: () => Promise.reject(new Error('no context today')),
        execute: () => {
          throw new Error('must not execute');
        },
      }),
      fetchAPI: {},
    };
    const viewer = { username: 'editor' };
    const serveFast = createGraphQLFastPath(stubYoga as never, { maxBodyBytes: 1000, authenticate: async () => ({ kind: 'viewer', viewer }), onUnexpected: () => undefined });
    const server = createServer((req, res) => void serveFast(req, res, `http://${req.headers.host}${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const body = '{"query": "{ viewer { username } }"}';
      const head = `POST /graphql HTTP/1.1\r\nhost: callgate.test\r\nconnection: close\r\ncontent-type: application/json\r\naccept: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
      const answer = await exchange((server.address() as { port: number }).port, Buffer.from(head + body));
      expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe('yoga');
      expect(handed).toEqual([expect.objectContaining({ authentication: { kind: 'viewer', viewer } })]);
      expect(serveFast.directExecutions()).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('which requests take the fast path', () => {
  let server: Server;
  let port: number;
  const seen: Request[] = [];

  beforeAll(async () => {
    const stubYoga = {
      handleRequest: (request: Request) => {
        seen.push(request);
        return new WhatwgResponse('fast', { status: 200, headers: { 'content-type': 'text/plain' } }) as unknown as Response;
      },
    };
    // refused credentials hand every request on to yoga's handler, here the stub
    const serveFast = createGraphQLFastPath(stubYoga as never, { maxBodyBytes: 100, authenticate: async () => ({ kind: 'refused' }), onUnexpected: () => undefined });
    server = createServer((req, res) => {
      if (!serveFast(req, res, `http://${req.headers.host}${req.url}`)) res.end('adapter');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as { port: number }).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = (method: string, headers: Record<string, string>, body = '') =>
    exchange(
      port,
      Buffer.from(`${method} /graphql?x=1 HTTP/1.1\r\n${Object.entries({ host: 'callgate.test', connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`),
    ).then((answer) => answer.slice(answer.indexOf('\r\n\r\n') + 4));

  it('takes POST application/json with a Content-Length within the limit, and hands yoga the request as sent', async () => {
    seen.length = 0;
    const body = '{"query": "{ viewer { username } }"}';
    expect(await send('POST', { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), authorization: 'Bearer x' }, body)).toBe('fast');
    const [request] = seen;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('http://callgate.test/graphql?x=1');
    expect(request!.headers.get('Authorization')).toBe('Bearer x');
    expect(request!.headers.has('content-type')).toBe(true);
    expect(request!.body).toBeNull();
    expect(await request!.text()).toBe(body);
    expect(await request!.json()).toEqual({ query: '{ viewer { username } }' });
  });

  it('fails bad JSON with the same error @whatwg-node gives', async () => {
    seen.length = 0;
    const body = '{"query": ';
    await send('POST', { 'content-type': 'application/json', 'content-length': String(body.length) }, body);
    const theirs = await new WhatwgRequest('http://callgate.test/graphql', { method: 'POST', body }).json().catch((e: Error) => e);
    const ours = await seen[0]!.json().catch((e: Error) => e);
    expect(ours).toBeInstanceOf(SyntaxError);
    expect((ours as Error).message).toBe((theirs as Error).message);
  });

  it.each([
    ['GET', {}, ''],
    ['POST', { 'content-type': 'text/plain', 'content-length': '2' }, '{}'],
    ['POST', { 'content-type': 'application/graphql+json', 'content-length': '2' }, '{}'],
    ['POST', { 'content-length': '2' }, '{}'],
    ['POST', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, '2\r\n{}\r\n0\r\n\r\n'],
    ['POST', { 'content-type': 'application/json', 'content-length': '101' }, 'x'.repeat(101)],
  ] as const)('leaves %s %j to yoga\'s Node adapter', async (method, headers, body) => {
    seen.length = 0;
    expect(await send(method, headers, body)).toBe('adapter');
    expect(seen).toHaveLength(0);
  });
});
