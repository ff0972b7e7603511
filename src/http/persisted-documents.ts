import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';

/** `allow` runs listed documents and any query text; `require` runs only listed documents (admins may still send text). */
export const PERSISTED_DOCUMENTS_MODES = ['allow', 'require'] as const;
export type PersistedDocumentsMode = (typeof PERSISTED_DOCUMENTS_MODES)[number];

/** A manifest that cannot be used; the message names the file and what is wrong with it. */
export class ManifestError extends Error {}

const SHA256_ID = /^sha256:[0-9a-f]{64}$/;
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readManifest(path: string, into: Map<string, string>, origin: Map<string, string>): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManifestError(`${path}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${path}: not JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(manifest)) throw new ManifestError(`${path}: not a JSON object of document id to document text`);
  for (const [id, document] of Object.entries(manifest)) {
    if (typeof document !== 'string') throw new ManifestError(`${path}: the document of "${id}" is not a string`);
    try {
      parse(document, { noLocation: true });
    } catch (error) {
      throw new ManifestError(`${path}: the document of "${id}" does not parse (${(error as Error).message})`);
    }
    if (SHA256_ID.test(id) && id !== `sha256:${createHash('sha256').update(document).digest('hex')}`) {
      throw new ManifestError(`${path}: "${id}" is not the SHA-256 of its document`);
    }
    const known = into.get(id);
    if (known !== undefined && known !== document) throw new ManifestError(`${path}: "${id}" names another document in ${origin.get(id)}`);
    into.set(id, document);
    origin.set(id, path);
  }
}

/**
 * Reads trusted-document manifests as graphql-codegen's client preset writes
 * them (persisted-documents.json: a JSON object of document id to document
 * text, the id `sha256:` and the hex SHA-256 of the text). Every file must be
 * such an object and every document must parse; an id that says sha256 must
 * be its text's hash, and an id in two files must name the same text.
 */
export function readManifests(paths: readonly string[]): ReadonlyMap<string, string> {
  const documents = new Map<string, string>();
  const origin = new Map<string, string>();
  for (const path of paths) readManifest(path, documents, origin);
  return documents;
}

export interface PersistedDocumentsOptions {
  /** The manifests, read in order. */
  paths: readonly string[];
  mode: PersistedDocumentsMode;
  /** The manifests' documents when already read (the configuration reads them once at start); read from `paths` otherwise. */
  documents?: ReadonlyMap<string, string>;
}

export type ReloadOutcome = { ok: true; documents: number } | { ok: false; error: string };

/** The trusted documents of one app: the set in use, replaced whole by a reload that succeeds. */
export function createPersistedDocuments(options: PersistedDocumentsOptions) {
  let documents = options.documents ?? readManifests(options.paths);
  return {
    mode: options.mode,
    paths: options.paths,
    get: (id: string): string | null => documents.get(id) ?? null,
    size: () => documents.size,
    /** Reads the manifests again; a failure keeps the set in use. */
    reload(): ReloadOutcome {
      try {
        documents = readManifests(options.paths);
        return { ok: true, documents: documents.size };
      } catch (error) {
        if (error instanceof ManifestError) return { ok: false, error: error.message };
        throw error;
      }
    },
  };
}

export type PersistedDocuments = ReturnType<typeof createPersistedDocuments>;

/** The extra request parameter that carries a document id (GraphQL over HTTP, Appendix A "Persisted Documents"). */
export const DOCUMENT_ID_PARAM = 'documentId';

export const REQUIRED_MESSAGE = 'PERSISTED_DOCUMENTS_MODE=require: only trusted documents run; send a documentId from the manifest instead of the query text';

const requestError = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

/**
 * The id a request names: `documentId` in a POST body or, for GET, in the
 * query string (yoga's GET parser reads only the standard parameters), or
 * Apollo's and urql's `extensions.persistedQuery.sha256Hash`.
 */
function documentIdOf(params: GraphQLParams, request: Request): string | null {
  const id = (params as { documentId?: unknown }).documentId;
  if (typeof id === 'string' && id !== '') return id;
  if (request.method === 'GET') {
    const fromUrl = new URL(request.url).searchParams.get(DOCUMENT_ID_PARAM);
    if (fromUrl) return fromUrl;
  }
  const persistedQuery = isPlainObject(params.extensions) ? params.extensions.persistedQuery : undefined;
  if (isPlainObject(persistedQuery) && typeof persistedQuery.sha256Hash === 'string' && persistedQuery.sha256Hash !== '') return persistedQuery.sha256Hash;
  return null;
}

/**
 * yoga's persisted-operations plugin over the trusted documents: a request
 * that names a document id runs the manifest's text (an unknown id is a 400
 * with the code Apollo's persisted-queries link knows; not a 404, which a
 * cache may keep after a reload adds the document); query text
 * runs in `allow` mode, and in `require` mode only when `mayRunText` says so
 * (for admins, so that GraphiQL and introspection work for them).
 */
export function persistedDocumentsPlugin(documents: PersistedDocuments, mayRunText: (request: Request) => boolean): Plugin {
  const required = () => requestError(REQUIRED_MESSAGE, 'PERSISTED_DOCUMENT_REQUIRED');
  return usePersistedOperations({
    getPersistedOperation: (id) => documents.get(id),
    allowArbitraryOperations: documents.mode === 'allow' ? true : mayRunText,
    extractPersistedOperationId: documentIdOf,
    customErrors: {
      persistedQueryOnly: required,
      keyNotFound:
        documents.mode === 'require'
          ? required
          : () => requestError('Send a query, or a documentId from the trusted documents manifest', 'BAD_REQUEST'),
      notFound: () =>
        requestError(
          'Unknown documentId: no trusted document has this id (PERSISTED_DOCUMENTS); regenerate the manifest with the client and reload the server',
          'PERSISTED_QUERY_NOT_FOUND',
        ),
    },
  });
}
