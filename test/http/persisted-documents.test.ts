import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { ConfigError, parseConfig } from '../../src/http/config.js';
import { createLogger } from '../../src/http/logger.js';
import { ManifestError, readManifests, type PersistedDocumentsMode } from '../../src/http/persisted-documents.js';
import { basic, CALL, createWorld, FIELD, type World } from '../support/fixtures.js';
import { serve } from '../support/http.js';

const dir = mkdtempSync(join(tmpdir(), 'callgate-persisted-'));
let files = 0;
/** Writes a file in the test's temporary directory and answers its path. */
function file(content: string, name = `manifest-${++files}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A document's id as graphql-codegen's client preset makes it (hashAlgorithm sha256, its default). */
const clientPresetId = (document: string) => `sha256:${createHash('sha256').update(document).digest('hex')}`;

const OPERATIONS = `
query Viewer { viewer { username role } }
fragment CallRow on Call { id direction }
query Call($id: ID!) { call(id: $id) { ...CallRow } }
mutation SetNotes($callId: ID!, $notes: String) {
  setCallCustomFields(callId: $callId, customFields: [{ fieldId: "${FIELD.notes}", value: $notes }]) { __typename }
}
`;

/** The manifest graphql-codegen's client preset writes with `persistedDocuments: true`, and its ids by operation name. */
async function clientPresetManifest() {
  const outputs: { filename: string; content: string }[] = await generate(
    {
      schema: 'schema/schema.graphql',
      documents: [file(OPERATIONS, 'operations.graphql')],
      silent: true,
      generates: { [`${dir}/gql/`]: { preset: 'client', presetConfig: { persistedDocuments: true } } },
    },
    false,
  );
  const content = outputs.find((output) => output.filename.endsWith('/persisted-documents.json'))!.content;
  const manifest = JSON.parse(content) as Record<string, string>;
  const idOf = (operation: string) => Object.keys(manifest).find((id) => new RegExp(`(^|\\} )(query|mutation) ${operation}\\b`).test(manifest[id]!))!;
  return { path: file(content, 'persisted-documents.json'), manifest, ids: { viewer: idOf('Viewer'), call: idOf('Call'), setNotes: idOf('SetNotes') } };
}

let generated: Awaited<ReturnType<typeof clientPresetManifest>>;
beforeAll(async () => {
  generated = await clientPresetManifest();
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the manifest: graphql-codegen client preset’s persisted-documents.json', () => {
  it('reads what the client preset writes: sha256-prefixed ids of each operation’s printed text', () => {
    const documents = readManifests([generated.path]);
    expect(documents.size).toBe(3);
    for (const [id, text] of documents) expect(id).toBe(clientPresetId(text));
    expect(documents.get(generated.ids.call)).toMatch(/^fragment CallRow on Call \{ direction id \} query Call/);
  });

  it('merges several files; the same id may appear twice with the same text', () => {
    const other = file(JSON.stringify({ [clientPresetId('{ viewer { tenant } }')]: '{ viewer { tenant } }' }));
    const documents = readManifests([generated.path, other, generated.path]);
    expect(documents.size).toBe(4);
    expect(documents.get(clientPresetId('{ viewer { tenant } }'))).toBe('{ viewer { tenant } }');
  });

  it('takes ids of other tools as they are (Relay’s md5 keys, say)', () => {
    expect(readManifests([file(JSON.stringify({ '0b2a1c4e': '{ viewer { username } }' }))]).get('0b2a1c4e')).toBe('{ viewer { username } }');
  });

  const missing = join(dir, 'nope.json');
  it.each([
    ['a missing file', () => missing, `${missing}: cannot be read (no such file)`],
    ['a directory', () => dir, `${dir}: cannot be read (EISDIR)`],
    ['bad JSON', () => file('{"sha256:x": '), /: not JSON \(/],
    ['an empty file', () => file(''), /: not JSON \(/],
    ['an array', () => file('["{ viewer { username } }"]'), /: not a JSON object of document id to document text$/],
    ['a document that is not a string', () => file('{"a": {"query": "{ viewer { username } }"}}'), /: the document of "a" is not a string$/],
    ['a document that does not parse', () => file('{"a": "{ viewer { "}'), /: the document of "a" does not parse \(Syntax Error: Expected Name, found <EOF>\.\)$/],
    ['a sha256 id that is not its text’s hash', () => file(JSON.stringify({ [clientPresetId('{ viewer { role } }')]: '{ viewer { username } }' })), /: "sha256:[0-9a-f]{64}" is not the SHA-256 of its document$/],
  ] as const)('refuses %s, naming the file', (_name, path, message) => {
    const p = path();
    expect(() => readManifests([generated.path, p])).toThrow(ManifestError);
    expect(() => readManifests([generated.path, p])).toThrow(message);
    if (typeof message !== 'string') expect(() => readManifests([p])).toThrow(p);
  });

  it('refuses one id naming two documents in two files', () => {
    const a = file('{"x": "{ viewer { username } }"}');
    const b = file('{"x": "{ viewer { role } }"}');
    expect(() => readManifests([a, b])).toThrow(`${b}: "x" names another document in ${a}`);
  });
});

describe('configuration: PERSISTED_DOCUMENTS and PERSISTED_DOCUMENTS_MODE', () => {
  it('is off by default', () => {
    expect(parseConfig({}).persistedDocuments).toBeNull();
  });

  it('reads the manifests at start, comma-separated, in allow mode unless told otherwise', () => {
    const other = file(JSON.stringify({ [clientPresetId('{ viewer { tenant } }')]: '{ viewer { tenant } }' }));
    const config = parseConfig({ PERSISTED_DOCUMENTS: `${generated.path}, ${other}` });
    expect(config.persistedDocuments).toMatchObject({ paths: [generated.path, other], mode: 'allow' });
    expect(config.persistedDocuments?.documents.size).toBe(4);
    expect(parseConfig({ PERSISTED_DOCUMENTS: generated.path, PERSISTED_DOCUMENTS_MODE: 'require' }).persistedDocuments?.mode).toBe('require');
  });

  it('stops start-up on a missing file, naming the variable and the file', () => {
    const missing = join(dir, 'missing.json');
    expect(() => parseConfig({ PERSISTED_DOCUMENTS: `${generated.path},${missing}` })).toThrow(ConfigError);
    expect(() => parseConfig({ PERSISTED_DOCUMENTS: `${generated.path},${missing}` })).toThrow(
      `Invalid configuration: PERSISTED_DOCUMENTS=${JSON.stringify(`${generated.path},${missing}`)}: ${missing}: cannot be read (no such file)`,
    );
  });

  it('stops start-up on a file that is not JSON, naming it', () => {
    const bad = file('not json');
    expect(() => parseConfig({ PERSISTED_DOCUMENTS: bad })).toThrow(new RegExp(`^Invalid configuration: PERSISTED_DOCUMENTS=.*: ${bad}: not JSON \\(`));
  });

  it('refuses a mode it does not know, naming the accepted ones', () => {
    expect(() => parseConfig({ PERSISTED_DOCUMENTS: generated.path, PERSISTED_DOCUMENTS_MODE: 'strict' })).toThrow(/PERSISTED_DOCUMENTS_MODE="strict": .*"allow".*"require"/);
  });

  it('refuses a mode without manifests rather than running everything', () => {
    expect(() => parseConfig({ PERSISTED_DOCUMENTS_MODE: 'require' })).toThrow(
      'Invalid configuration: PERSISTED_DOCUMENTS_MODE="require": needs PERSISTED_DOCUMENTS, the trusted documents manifest(s)',
    );
    expect(() => parseConfig({ PERSISTED_DOCUMENTS: ' , ' })).toThrow('PERSISTED_DOCUMENTS=" , ": name at least one manifest file');
  });
});

type Who = 'admin' | 'editor' | 'viewer';

async function served(mode: PersistedDocumentsMode, paths = [generated.path], logLines?: string[]) {
  const world: World = await createWorld();
  const logger = logLines ? createLogger('info', { write: (line: string) => void logLines.push(line) }) : false;
  const app = createApp({ store: world.store, logger, persistedDocuments: { paths, mode } });
  const { url } = await serve(app);
  // A body of declared length, as browsers send it: /graphql's fast path takes such a POST.
  const post = async (body: Record<string, unknown>, as: Who | string = 'editor') => {
    const authorization = as.includes(' ') ? as : `Bearer ${world.tokens[as as Who]}`;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const get = async (query: Record<string, string>, headers: Record<string, string> = { authorization: `Bearer ${world.tokens.editor}` }) => {
    const response = await fetch(`${url}/graphql?${new URLSearchParams(query)}`, { headers: { accept: 'application/graphql-response+json', ...headers } });
    return { status: response.status, body: (await response.json()) as any };
  };
  return { world, app, url, post, get };
}

const REQUIRED = {
  status: 400,
  body: {
    errors: [
      {
        message: 'PERSISTED_DOCUMENTS_MODE=require: only trusted documents run; send a documentId from the manifest instead of the query text',
        extensions: { code: 'PERSISTED_DOCUMENT_REQUIRED' },
      },
    ],
  },
};
const NOT_FOUND = {
  status: 400,
  body: {
    errors: [
      {
        message: 'Unknown documentId: no trusted document has this id (PERSISTED_DOCUMENTS); regenerate the manifest with the client and reload the server',
        extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
      },
    ],
  },
};
const EDITOR = { status: 200, body: { data: { viewer: { username: 'editor', role: 'EDITOR' } } } };

describe('PERSISTED_DOCUMENTS_MODE=allow', () => {
  let t: Awaited<ReturnType<typeof served>>;
  beforeAll(async () => {
    t = await served('allow');
  });

  it('runs a listed document by documentId, with variables', async () => {
    expect(await t.post({ documentId: generated.ids.viewer })).toEqual(EDITOR);
    expect(await t.post({ documentId: generated.ids.call, variables: { id: CALL.first } })).toEqual({
      status: 200,
      body: { data: { call: { id: CALL.first, direction: 'INBOUND' } } },
    });
  });

  it('runs a listed document named as Apollo’s and urql’s persisted query extension', async () => {
    expect(await t.post({ extensions: { persistedQuery: { version: 1, sha256Hash: generated.ids.viewer } } })).toEqual(EDITOR);
  });

  it('runs query text too, also next to an id no manifest lists (Apollo’s persisted-queries link retries so)', async () => {
    expect(await t.post({ query: '{ viewer { username role } }' })).toEqual(EDITOR);
    const unknown = { persistedQuery: { version: 1, sha256Hash: clientPresetId('{ viewer { username role } }') } };
    expect(await t.post({ extensions: unknown })).toEqual(NOT_FOUND);
    expect(await t.post({ query: '{ viewer { username role } }', extensions: unknown })).toEqual(EDITOR);
  });

  it('refuses an unknown id', async () => {
    expect(await t.post({ documentId: clientPresetId('{ viewer { tenant } }') })).toEqual(NOT_FOUND);
  });

  it('asks for a query or a documentId when there is neither', async () => {
    expect(await t.post({ variables: {} })).toEqual({
      status: 400,
      body: { errors: [{ message: 'Send a query, or a documentId from the trusted documents manifest', extensions: { code: 'BAD_REQUEST' } }] },
    });
  });
});

describe('PERSISTED_DOCUMENTS_MODE=require', () => {
  let t: Awaited<ReturnType<typeof served>>;
  beforeAll(async () => {
    t = await served('require');
  });

  it('runs a listed document over POST', async () => {
    expect(await t.post({ documentId: generated.ids.viewer })).toEqual(EDITOR);
    expect(await t.post({ documentId: generated.ids.setNotes, variables: { callId: CALL.first, notes: 'trusted' } })).toEqual({
      status: 200,
      body: { data: { setCallCustomFields: { __typename: 'SetCallCustomFieldsSuccess' } } },
    });
    expect((await t.world.store.getCall(t.world.tenantId, CALL.first))?.customFields.find((v) => v.fieldId === FIELD.notes)?.value).toBe('trusted');
  });

  it('runs a listed document over GET, with variables in the query string (Bearer: no CSRF header needed)', async () => {
    expect(await t.get({ documentId: generated.ids.call, variables: JSON.stringify({ id: CALL.second }) })).toEqual({
      status: 200,
      body: { data: { call: { id: CALL.second, direction: 'OUTBOUND' } } },
    });
  });

  it('runs a listed document over GET named in the extensions parameter', async () => {
    expect(await t.get({ extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: generated.ids.viewer } }) })).toEqual(EDITOR);
  });

  it('over GET with Basic credentials, asks for the CSRF header as always, and runs with it', async () => {
    const refused = await t.get({ documentId: generated.ids.viewer }, { authorization: basic('editor') });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('CSRF_HEADER_REQUIRED');
    expect(await t.get({ documentId: generated.ids.viewer }, { authorization: basic('editor'), 'x-graphql-yoga-csrf': '1' })).toEqual(EDITOR);
  });

  it('does not run a listed mutation over GET', async () => {
    const answer = await t.get({ documentId: generated.ids.setNotes, variables: JSON.stringify({ callId: CALL.first, notes: 'by GET' }) });
    expect(answer.status).toBe(405);
    expect((await t.world.store.getCall(t.world.tenantId, CALL.first))?.customFields.find((v) => v.fieldId === FIELD.notes)?.value).not.toBe('by GET');
  });

  it.each(['editor', 'viewer'] as const)('refuses query text sent as %s, naming the rule', async (who) => {
    expect(await t.post({ query: '{ viewer { username role } }' }, who)).toEqual(REQUIRED);
    expect(await t.get({ query: '{ viewer { username role } }' }, { authorization: `Bearer ${t.world.tokens[who]}` })).toEqual(REQUIRED);
  });

  it('refuses the text even next to a listed id', async () => {
    expect(await t.post({ query: '{ viewer { tenant } }', documentId: generated.ids.viewer })).toEqual(REQUIRED);
  });

  it('refuses introspection from anyone but an admin', async () => {
    expect(await t.post({ query: '{ __schema { queryType { name } } }' }, 'editor')).toEqual(REQUIRED);
    expect(await t.post({ query: '{ __schema { queryType { name } } }' }, 'admin')).toEqual({ status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } });
  });

  it('runs an admin’s query text (GraphiQL works for admins), with Basic credentials too', async () => {
    expect(await t.post({ query: '{ viewer { username } }' }, 'admin')).toEqual({ status: 200, body: { data: { viewer: { username: 'admin' } } } });
    expect(await t.post({ query: '{ viewer { username } }' }, basic('admin'))).toEqual({ status: 200, body: { data: { viewer: { username: 'admin' } } } });
  });

  it('still serves the GraphiQL page to anyone signed in; its queries run only for admins', async () => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html', authorization: basic('editor') } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>');
  });

  it('refuses an unknown id, and a request with neither id nor text', async () => {
    expect(await t.post({ documentId: clientPresetId('{ viewer { tenant } }') })).toEqual(NOT_FOUND);
    expect(await t.get({ documentId: 'sha256:0000' })).toEqual(NOT_FOUND);
    expect(await t.post({ variables: {} })).toEqual(REQUIRED);
    expect(await t.post({ documentId: 42 })).toEqual(REQUIRED);
  });

  it('leaves the REST shim alone: its documents are callgate’s own', async () => {
    const response = await fetch(`${t.url}/api/v2/calls/${CALL.first}.json`, { headers: { authorization: `Bearer ${t.world.tokens.editor}` } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { call: { call_id: string } }).call.call_id).toBe(CALL.first);
  });

  it('still asks for credentials first', async () => {
    expect((await t.post({ documentId: generated.ids.viewer }, 'Bearer cg_not-a-token')).status).toBe(401);
  });
});

describe('reloading the manifests (what SIGHUP runs)', () => {
  const viewerDoc = '{ viewer { username role } }';
  const tenantDoc = '{ viewer { tenant } }';

  it('makes a new file’s documents available, and keeps the set in use when a file is broken', async () => {
    const path = file(JSON.stringify({ [clientPresetId(viewerDoc)]: viewerDoc }));
    const lines: string[] = [];
    const t = await served('require', [path], lines);
    expect(await t.post({ documentId: clientPresetId(tenantDoc) })).toEqual(NOT_FOUND);

    writeFileSync(path, JSON.stringify({ [clientPresetId(viewerDoc)]: viewerDoc, [clientPresetId(tenantDoc)]: tenantDoc }));
    expect(t.app.reloadPersistedDocuments()).toEqual({ ok: true, documents: 2 });
    expect(await t.post({ documentId: clientPresetId(tenantDoc) })).toEqual({ status: 200, body: { data: { viewer: { tenant: 'default' } } } });

    writeFileSync(path, '{"half a manifest": ');
    expect(t.app.reloadPersistedDocuments()).toEqual({ ok: false, error: expect.stringContaining(`${path}: not JSON (`) });
    expect(await t.post({ documentId: clientPresetId(tenantDoc) })).toEqual({ status: 200, body: { data: { viewer: { tenant: 'default' } } } });
    expect(await t.post({ documentId: clientPresetId(viewerDoc) })).toEqual(EDITOR);

    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => String(line.msg).startsWith('trusted documents'));
    expect(logged).toEqual([
      expect.objectContaining({ level: 30, msg: 'trusted documents reloaded', documents: 2, files: [path] }),
      expect.objectContaining({ level: 50, msg: 'trusted documents not reloaded: still serving the previous set', documents: 2, error: expect.stringContaining(path) }),
    ]);
  });

  it('drops documents a new manifest no longer lists', async () => {
    const path = file(JSON.stringify({ [clientPresetId(viewerDoc)]: viewerDoc, [clientPresetId(tenantDoc)]: tenantDoc }));
    const t = await served('require', [path]);
    writeFileSync(path, JSON.stringify({ [clientPresetId(viewerDoc)]: viewerDoc }));
    expect(t.app.reloadPersistedDocuments()).toEqual({ ok: true, documents: 1 });
    expect(await t.post({ documentId: clientPresetId(tenantDoc) })).toEqual(NOT_FOUND);
  });

  it('is nothing to do without trusted documents', async () => {
    const world = await createWorld();
    expect(createApp({ store: world.store, logger: false }).reloadPersistedDocuments()).toBeNull();
  });
});
