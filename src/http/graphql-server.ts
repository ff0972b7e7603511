import type { IncomingMessage } from 'node:http';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { Logger } from 'pino';
import { CHALLENGE, type Authentication, type Authenticator } from '../auth/authenticator.js';
import type { Viewer } from '../core/viewer.js';
import { createGraphQLContext, type CredentialFactory, type GraphQLContext, type RequestOrigin, type WebhookAdmin } from '../graphql/context.js';
import { exceededLimit, measureOperation, type MeasureMemo } from '../graphql/query-limits.js';
import { schema } from '../graphql/schema.js';
import { StoreLimitError, StoreUnavailableError, type CallStore } from '../store/call-store.js';
import type { ChangeFeed } from '../store/change-feed.js';
import type { createCompiledExecution } from './compiled-execution.js';
import { createGraphiQLPage, graphiqlOptions } from './graphiql.js';
import { yogaLogger } from './logger.js';
import type { Metrics } from './metrics.js';
import { DOCUMENT_ID_PARAM, persistedDocumentsPlugin, type PersistedDocuments } from './persisted-documents.js';
import { RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE, UNAVAILABLE_MESSAGE } from './reply.js';
import { MAX_BODY_BYTES } from './request-body.js';
import { operationName, type RequestTracker } from './request-log.js';
import type { CredentialWatch } from './credential-watch.js';
import { ViewerNotConfirmedError } from './provisional-reads.js';
import { sseStreamLimits } from './sse-streams.js';
import type { StreamCounter } from './stream-limits.js';

export const GRAPHQL_PATH = '/graphql';

/** The header a GET (or form or text POST) to /graphql must carry unless it has a Bearer token. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** The GraphQL abuse limits (depth and cost: query-limits.ts; the others: graphql-armor), each configurable. */
export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
}

export const DEFAULT_LIMITS: GraphQLLimits = { maxDepth: 10, maxAliases: 15, maxTokens: 2000, maxDirectives: 50, maxCost: 40000 };

/** A /graphql request's credentials: the outcome, or the database's unavailability. */
export type CheckCredentials = (request: Request, req: IncomingMessage | undefined) => Promise<Authentication | StoreUnavailableError>;

export interface GraphQLServerDeps {
  /** The most calls one bulk edit applies to; the core's default when absent. */
  bulkEditLimit?: number;
  /** Webhook administration, or why there is none. */
  webhooks: WebhookAdmin | string;
  store: CallStore;
  changeFeed: ChangeFeed;
  clock: () => Date;
  authenticator: Authenticator;
  credentials: CredentialFactory;
  logger: Logger;
  metrics: Metrics;
  requests: RequestTracker;
  checkCredentials: CheckCredentials;
  /** Where a request comes from (the socket, or a trusted proxy's X-Forwarded-For), as the change log records it. */
  clientAddress: (req: IncomingMessage) => string | null;
  limits: GraphQLLimits;
  introspection: boolean;
  development: boolean;
  compiledExecution: ReturnType<typeof createCompiledExecution> | null;
  /** Trusted documents (PERSISTED_DOCUMENTS), or null to run query text only. */
  persistedDocuments: PersistedDocuments | null;
  /** Open streams per API user and the recheck of their credentials, shared with WebSocket. */
  streams: StreamCounter;
  credentialWatch: CredentialWatch;
}

export const isStoreUnavailable = (error: unknown) =>
  error instanceof StoreUnavailableError || (error instanceof GraphQLError && error.originalError instanceof StoreUnavailableError);

const isStoreLimit = (error: unknown) =>
  error instanceof StoreLimitError || (error instanceof GraphQLError && error.originalError instanceof StoreLimitError);

/** The GraphQL error for a request beyond a limit of the database (a value too large to index): HTTP 400, no driver details. */
const graphqlBeyondLimit = () =>
  new GraphQLError('The request is beyond a limit of the database (a value too large to store); shorten it', {
    extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
  });

const unavailableExtensions = { code: SERVICE_UNAVAILABLE, http: { status: 503, headers: { 'retry-after': RETRY_AFTER_SECONDS } } };

/** The GraphQL error for a request the database cannot serve now: HTTP 503, and no driver details. */
const graphqlUnavailable = () => new GraphQLError(UNAVAILABLE_MESSAGE, { extensions: unavailableExtensions });

const authenticationRequired = () =>
  new GraphQLError('Authentication required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': CHALLENGE } } },
  });

const queryLimitExceeded = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_LIMIT_EXCEEDED', http: { status: 400 } } });

/** Aliases, tokens and directives as graphql-armor plugins: a query over a limit is a request error (400), not "Syntax Error: ...". */
function armorPlugins(limits: GraphQLLimits, development: boolean) {
  const reject = {
    propagateOnRejection: false,
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        throw queryLimitExceeded(error.message.replace(/^Syntax Error: /, ''));
      },
    ],
  };
  return new EnvelopArmor({
    maxDepth: { enabled: false },
    maxAliases: { n: limits.maxAliases, ...reject },
    maxTokens: { n: limits.maxTokens, ...reject },
    maxDirectives: { n: limits.maxDirectives, ...reject },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !development },
  }).protect().plugins;
}

/**
 * Depth and cost (graphql/query-limits.ts), judged once the document has
 * validated, with the request's variables and operation name: a variable's
 * page size counts like a literal. Validation results are cached per document,
 * so this runs after the cache, on every request; yoga and the fast path both
 * validate, and a refusal (400) comes before anything executes. The REST shim
 * never validates per request: its fixed documents are not client input.
 */
function depthAndCostLimits(limits: GraphQLLimits): Plugin<{ params?: { variables?: Record<string, unknown> | null; operationName?: string | null } }> {
  // Yoga's parser cache hands a hot query's text the same DocumentNode, so its measure is looked up, not walked.
  const memo: MeasureMemo = new WeakMap();
  return {
    onValidate({ context, params: { schema: validated, documentAST } }) {
      return ({ valid }) => {
        if (!valid) return;
        const measure = measureOperation(validated, documentAST, context.params?.operationName, context.params?.variables, memo);
        const message = measure && exceededLimit(measure, limits);
        if (message) throw queryLimitExceeded(message);
      };
    },
  };
}

/** The answer to a /graphql request whose credentials do not pass: 401, 429 or 503, before anything is parsed. */
function refusal(outcome: Exclude<Authentication, { kind: 'viewer' }> | StoreUnavailableError): Response {
  if (outcome instanceof StoreUnavailableError) {
    return Response.json(
      { errors: [{ message: UNAVAILABLE_MESSAGE, extensions: { code: SERVICE_UNAVAILABLE } }] },
      { status: 503, headers: { 'retry-after': RETRY_AFTER_SECONDS } },
    );
  }
  if (outcome.kind === 'throttled') {
    return Response.json(
      { errors: [{ message: `Too many failed logins; retry in ${outcome.retryAfterSeconds} seconds`, extensions: { code: 'RATE_LIMITED' } }] },
      { status: 429, headers: { 'retry-after': String(outcome.retryAfterSeconds) } },
    );
  }
  return Response.json(
    { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] },
    { status: 401, headers: { 'www-authenticate': CHALLENGE } },
  );
}

/** Content types a browser may POST cross-origin without a preflight (a form's or text). */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const BEARER = /^bearer(\s|$)/i;

const csrfRefused = () =>
  new GraphQLError(
    `Send the header "${CSRF_HEADER}: 1" with this request, or use POST with Content-Type: application/json ` +
      '(a GET, or a POST of a form or text, could be forged by another web page)',
    { extensions: { code: 'CSRF_HEADER_REQUIRED', http: { status: 403 } } },
  );

/**
 * yoga's CSRF prevention rule, but for what a browser can forge: a request
 * a page could send with the user's stored credentials (a GET, or a POST of
 * a form or text, with no preflight) must carry the CSRF header. A Bearer
 * token is never sent by a browser on its own, so such a request is exempt.
 */
const csrfPrevention: Plugin = {
  onRequestParse({ request }) {
    const contentType = request.headers.get('content-type')?.toLowerCase();
    if (contentType && !SIMPLE_CONTENT_TYPES.some((simple) => contentType.startsWith(simple))) return;
    if (request.headers.has(CSRF_HEADER) || BEARER.test(request.headers.get('authorization') ?? '')) return;
    throw csrfRefused();
  },
};

/** Names the operation for logs and metrics; logs unexpected errors with their stack before masking hides it. */
function observeExecution(requests: RequestTracker, metrics: Metrics, logger: Logger): Plugin {
  return {
    onExecute({ args }) {
      const { req, requestId } = args.contextValue as { req?: IncomingMessage; requestId?: string };
      if (req) requests.infoOf(req)?.setOperation(`graphql ${operationName(args.document, args.operationName)}`);
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          // The REST shim's context names its request id; a GraphQL request's is its tracker's.
          const reqId = requestId ?? (req && requests.infoOf(req)?.id);
          for (const error of result.errors) {
            const original = error.originalError;
            // The result is dropped: the request is served again with its credentials checked.
            if (original instanceof ViewerNotConfirmedError) continue;
            if (isStoreUnavailable(error)) {
              metrics.countGraphQLError(SERVICE_UNAVAILABLE);
              logger.warn({ err: original, reqId }, 'database unavailable');
              continue;
            }
            const unexpectedError = original && !(original instanceof GraphQLError);
            metrics.countGraphQLError(unexpectedError ? 'UNEXPECTED' : String(error.extensions?.code ?? 'GRAPHQL_ERROR'));
            if (unexpectedError) logger.error({ err: original, reqId }, 'unexpected error in a resolver');
          }
        },
      };
    },
  };
}

/**
 * The yoga instance with its plugins, in order: credentials before parsing
 * (an anonymous client learns nothing of the schema), CSRF prevention (Bearer exempt), the
 * abuse limits, introspection off when configured, logs and metrics of each
 * execution, and compiled execution. The REST shim runs its documents through
 * the same instance's envelop pipeline.
 */
export function createGraphQLServer(deps: GraphQLServerDeps) {
  const { store, clock, credentials, logger, metrics, requests, authenticator } = deps;
  const viewers = new WeakMap<Request, Viewer>();

  // The fast path may have checked already: it hands its outcome over as `authentication`.
  const requireCredentials: Plugin<object, { req?: IncomingMessage; authentication?: Authentication | StoreUnavailableError }> = {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== GRAPHQL_PATH) return;
      const outcome = serverContext?.authentication ?? (await deps.checkCredentials(request, serverContext?.req));
      if (!(outcome instanceof StoreUnavailableError) && outcome.kind === 'viewer') {
        viewers.set(request, outcome.viewer);
        return;
      }
      if (outcome instanceof StoreUnavailableError) logger.warn({ err: outcome }, 'database unavailable');
      endResponse(refusal(outcome));
    },
  };

  const withoutIntrospection: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };

  const onResolvedError = (error: Error) => metrics.countGraphQLError(error.name);

  // The offline GraphiQL bundle costs ~45 MB of memory: load it on the first page view, not at start-up.
  const graphiql = deps.introspection
    ? createGraphiQLPage({
        endpoint: GRAPHQL_PATH,
        render: async () => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
        onError: (error) => logger.error({ err: error }, 'the GraphiQL page could not be rendered'),
      })
    : null;

  return createYoga<{ req?: IncomingMessage }, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // The REST shim authenticates before reading a body and hands its viewer in; /graphql's comes from onRequest.
    // The REST shim names its own origin; a /graphql request's is its tracker's id and its client's address.
    // A request served on a recalled viewer reads through its provisional store (provisional-reads.ts).
    context: async ({
      request,
      viewer: known,
      req,
      restOrigin,
      store: reads,
    }: {
      request: Request;
      viewer?: Viewer;
      req?: IncomingMessage;
      restOrigin?: RequestOrigin;
      store?: CallStore;
    }): Promise<GraphQLContext> => {
      const viewer = known ?? viewers.get(request) ?? (await authenticator.authenticate(request.headers.get('authorization')));
      if (!viewer) throw authenticationRequired();
      const origin: RequestOrigin = restOrigin ?? {
        channel: 'graphql',
        requestId: (req && requests.infoOf(req)?.id) ?? null,
        clientAddress: req ? deps.clientAddress(req) : null,
      };
      const lastEventId = request.headers.get('last-event-id');
      return createGraphQLContext({ store: reads ?? store, changeFeed: deps.changeFeed, lastEventId, viewer, clock, credentials, onResolvedError, origin, bulkEditLimit: deps.bulkEditLimit, webhooks: deps.webhooks });
    },
    plugins: [
      ...(graphiql ? [graphiql.plugin] : []),
      requireCredentials,
      csrfPrevention,
      ...armorPlugins(deps.limits, deps.development),
      depthAndCostLimits(deps.limits),
      ...(deps.introspection ? [] : [withoutIntrospection]),
      ...(deps.persistedDocuments ? [persistedDocumentsPlugin(deps.persistedDocuments, (request) => viewers.get(request)?.role === 'admin')] : []),
      observeExecution(requests, metrics, logger),
      sseStreamLimits(deps.streams, deps.credentialWatch),
      ...(deps.compiledExecution ? [deps.compiledExecution.plugin] : []),
    ],
    // Served by the plugin above on yoga's terms, compressed and revalidated.
    graphiql: false,
    maskedErrors: {
      // A database outage is not a bug: the client gets 503 and may retry; the log still gets the cause.
      maskError: (error, message, isDev) =>
        isStoreUnavailable(error) ? graphqlUnavailable() : isStoreLimit(error) ? graphqlBeyondLimit() : maskError(error, message, isDev),
    },
    cors: false,
    landingPage: false,
    batching: false,
    ...(deps.persistedDocuments ? { extraParamNames: [DOCUMENT_ID_PARAM] } : {}),
    multipart: false,
    maxRequestBodySize: MAX_BODY_BYTES,
    logging: yogaLogger(logger),
  });
}

export type GraphQLServer = ReturnType<typeof createGraphQLServer>;
