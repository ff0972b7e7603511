import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import { NodeHeaders } from './node-headers.js';
import { readBody } from './request-body.js';

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const CONTENT_LENGTH = /^\d+$/;

/**
 * A POST whose body Node has already read, as the Fetch `Request` yoga's
 * pipeline sees: the same method, URL, headers, text() and json() (with
 * @whatwg-node's error message for bad JSON). `body` is null because the
 * bytes are in hand: yoga's body-size limit wraps streams only, and the
 * Content-Length it checks was honoured when reading.
 */
class BufferedRequest {
  readonly body = null;
  readonly bodyUsed = false;
  readonly headers: NodeHeaders;

  constructor(
    readonly method: string,
    readonly url: string,
    req: IncomingMessage,
    private readonly bodyText: string,
  ) {
    this.headers = new NodeHeaders(req.headers);
  }

  text(): Promise<string> {
    return Promise.resolve(this.bodyText);
  }

  json(): Promise<unknown> {
    try {
      return Promise.resolve(JSON.parse(this.bodyText));
    } catch (error) {
      if (error instanceof SyntaxError) error.message += `, "${this.bodyText}" is not valid JSON`;
      return Promise.reject(error);
    }
  }
}

/** The two media types of yoga's regular (single JSON) result processor, in its order. */
const REGULAR_MEDIA_TYPES = ['application/graphql-response+json', 'application/json'];

/**
 * The media type yoga's result processors choose for this Accept header when
 * the regular processor takes the result, or null when it would not (then
 * yoga's own negotiation answers). Yoga tries the requested types in reverse
 * order and keeps the last match, the regular processor last of all.
 */
function regularMediaType(accept: string | undefined): string | null {
  let chosen: string | null = null;
  const requested = (accept || '*/*').replace(/\s/g, '').toLowerCase().split(',').reverse();
  for (const entry of requested) {
    const [mediaType, ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [pre, suf] = mediaType!.split('/');
    for (const offered of REGULAR_MEDIA_TYPES) {
      const [offeredPre, offeredSuf] = offered.split('/');
      if ((pre === '*' || pre === offeredPre) && (suf === '*' || suf === offeredSuf)) chosen = offered;
    }
  }
  return chosen;
}

/** Whether yoga's JSON request parser takes this Content-Type (exactly, case and all). */
function isYogaJson(contentType: string | undefined): boolean {
  const first = contentType?.split(',')[0];
  return first === 'application/json' || first?.startsWith('application/json;') === true;
}

/** Marks parameters whose text is a trusted document's, named by its id. */
const TRUSTED = Symbol('trusted document');

interface GraphQLParams {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown>;
  [TRUSTED]?: true;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const TEXT_KEYS = new Set(['query', 'variables', 'operationName']);
const TRUSTED_KEYS = new Set(['documentId', 'extensions', 'variables', 'operationName']);

/**
 * The id of a trusted document a body names in one of the two common forms,
 * `documentId` alone or an `extensions` of exactly `{ persistedQuery: {
 * version: 1, sha256Hash } }`; null for anything else.
 */
function trustedDocumentId(body: Record<string, unknown>): string | null {
  const { documentId, extensions } = body;
  if (extensions === undefined) return typeof documentId === 'string' && documentId !== '' ? documentId : null;
  if (documentId !== undefined || !isPlainObject(extensions) || Object.keys(extensions).length !== 1) return null;
  const persistedQuery = extensions.persistedQuery;
  if (!isPlainObject(persistedQuery) || Object.keys(persistedQuery).length !== 2 || persistedQuery.version !== 1) return null;
  const { sha256Hash } = persistedQuery;
  return typeof sha256Hash === 'string' && sha256Hash !== '' ? sha256Hash : null;
}

/**
 * The body as GraphQL parameters when it is the common, well-formed kind:
 * query text, or with `trustedDocument`, the id of a document it knows (then
 * marked TRUSTED); null for anything yoga should judge.
 */
function commonParams(text: string, trustedDocument: ((id: string) => string | null) | undefined): GraphQLParams | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(body)) return null;
  const { query, variables, operationName } = body;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  if (typeof query === 'string') {
    for (const key of Object.keys(body)) if (!TEXT_KEYS.has(key)) return null;
    return body as unknown as GraphQLParams;
  }
  if (query !== undefined || !trustedDocument) return null;
  for (const key of Object.keys(body)) if (!TRUSTED_KEYS.has(key)) return null;
  const id = trustedDocumentId(body);
  const document = id === null ? null : trustedDocument(id);
  if (document === null) return null;
  // The parameters yoga's persisted-operations plugin sets.
  return { query: document, operationName, variables, extensions: body.extensions, [TRUSTED]: true } as GraphQLParams;
}

export interface FastPathOptions<Outcome extends object, V extends object = object> {
  maxBodyBytes: number;
  /**
   * Checks the request's credentials: the viewer to execute as, or anything
   * else, which yoga then answers (handed over in the server context as
   * `authentication`, so the check is not made twice).
   */
  authenticate(request: Request, req: IncomingMessage): Promise<{ viewer: V } | Outcome>;
  /**
   * A viewer recalled for the request's credentials without checking them
   * (provisional-reads.ts), with what its context needs and the decision
   * whether it stands; null: `authenticate` checks them first. A mutation
   * runs only once the viewer stands; a query's result is sent only if it
   * does; otherwise yoga serves the request from the start.
   */
  recall?(request: Request, req: IncomingMessage): { viewer: V; context: Record<string, unknown>; confirmed(): Promise<boolean> } | null;
  /**
   * Whether this viewer's query text runs (trusted documents in require mode);
   * when it does not, yoga answers (its persisted-documents plugin refuses).
   * Absent: all text runs.
   */
  runsQueryText?(viewer: V): boolean;
  /**
   * The text of a trusted document by its id (PERSISTED_DOCUMENTS), or null
   * when it is unknown (then yoga answers). Absent: requests that name an id
   * go to yoga.
   */
  trustedDocument?(id: string): string | null;
  onUnexpected(error: unknown, res: ServerResponse): void;
}

/** What the fast path uses of a yoga instance: its request handler, its envelop pipeline, its Fetch API. */
interface Yoga {
  handleRequest(request: Request, serverContext: Record<string, unknown>): Response | Promise<Response>;
  getEnveloped: YogaServerInstance<object, object>['getEnveloped'];
  fetchAPI: YogaServerInstance<object, object>['fetchAPI'];
}

/**
 * The fast path for the common GraphQL request, `POST` with an
 * `application/json` body of a declared length within the limit. The most
 * common kind of it (a JSON object of query, variables and operation name,
 * or of a known trusted document's id in place of the query; an Accept yoga
 * answers with a single JSON result, valid credentials, a query or mutation
 * that parses and validates) runs straight through yoga's envelop pipeline:
 * parse and validate (with yoga's caches and every plugin's hooks), context,
 * execute, and yoga's own result processor for the status, headers and body.
 * Anything else about such a request (bad JSON or parameters, other media
 * types, refused credentials, unknown document ids, query text the viewer may
 * not send in trusted documents' require mode, syntax or validation errors,
 * unknown operation names, subscriptions, a context that cannot be built) goes to
 * `yoga.handleRequest` before anything has executed, which answers it as
 * always. Returns false, having done nothing, for any other request: yoga's
 * Node adapter serves those.
 */
export function createGraphQLFastPath<Outcome extends object, V extends object = object>(yoga: Yoga, options: FastPathOptions<Outcome, V>) {
  let direct = 0;

  async function serve(req: IncomingMessage, res: ServerResponse, url: string, text: string): Promise<Response | null> {
    const request = new BufferedRequest('POST', url, req, text) as unknown as Request;
    const viaYoga = (serverContext: Record<string, unknown> = {}) => yoga.handleRequest(request, { req, res, ...serverContext });
    const mediaType = isYogaJson(req.headers['content-type']) ? regularMediaType(req.headers.accept) : null;
    const params = mediaType && commonParams(text, options.trustedDocument);
    if (!params) return viaYoga();
    const recalled = options.recall?.(request, req) ?? null;
    const authentication = recalled ?? (await options.authenticate(request, req));
    if (!('viewer' in authentication)) return viaYoga({ authentication });
    // Yoga checks a recalled viewer's credentials for itself; a checked one's outcome is handed over.
    const checked = recalled ? {} : { authentication };
    if (!params[TRUSTED] && options.runsQueryText && !options.runsQueryText(authentication.viewer)) return viaYoga(checked);
    const context = { req, res, request, params, viewer: authentication.viewer, ...recalled?.context };
    const enveloped = yoga.getEnveloped(context);
    // A parse or validation failure (a limit's plugin throws) is yoga's to answer; nothing has run yet.
    let document: DocumentNode;
    try {
      document = enveloped.parse(params.query);
      if (enveloped.validate(enveloped.schema, document).length > 0) return viaYoga(checked);
    } catch {
      return viaYoga(checked);
    }
    const operation = getOperationAST(document, params.operationName);
    if (!operation || operation.operation === 'subscription') return viaYoga(checked);
    if (recalled && operation.operation !== 'query' && !(await recalled.confirmed())) return viaYoga();
    let contextValue: unknown;
    try {
      contextValue = await enveloped.contextFactory();
    } catch {
      return viaYoga(checked);
    }
    direct += 1;
    const result = (await enveloped.execute({
      schema: enveloped.schema,
      document,
      contextValue,
      variableValues: params.variables,
      operationName: params.operationName,
    })) as ExecutionResult;
    if (recalled && !(await recalled.confirmed())) return viaYoga();
    return processRegularResult(result, yoga.fetchAPI, mediaType);
  }

  function serveFast(req: IncomingMessage, res: ServerResponse, url: string): boolean {
    if (req.method !== 'POST') return false;
    const contentType = req.headers['content-type'];
    const declared = req.headers['content-length'];
    if (!contentType || !JSON_CONTENT_TYPE.test(contentType) || !declared || !CONTENT_LENGTH.test(declared)) return false;
    if (Number(declared) > options.maxBodyBytes || req.headers['transfer-encoding'] !== undefined) return false;
    void readBody(req, options.maxBodyBytes)
      .then((body) => (body.ok ? serve(req, res, url, body.text) : null))
      .then((response) => (response ? sendNodeResponse(response, res, req, true) : res.destroy()))
      .catch((error: unknown) => options.onUnexpected(error, res));
    return true;
  }

  /** How many requests the direct path executed (tests check which path a request took). */
  serveFast.directExecutions = () => direct;
  return serveFast;
}
