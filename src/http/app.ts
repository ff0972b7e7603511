import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { Logger } from 'pino';
import { createGraphQLContext, type CredentialFactory, type GraphQLContext } from '../graphql/context.js';
import { onResolvedError } from '../graphql/resolved-errors.js';
import { schema } from '../graphql/schema.js';
import { StoreUnavailableError, type CallStore } from '../store/call-store.js';
import { Authenticator, CHALLENGE, type Authentication } from '../auth/authenticator.js';
import type { Viewer } from '../core/viewer.js';
import { createCompiledExecution, DEFAULT_COMPILED_EXECUTION, type CompiledExecutionOptions } from './compiled-execution.js';
import { hashApiToken, hashPassword, newApiToken } from '../auth/credentials.js';
import { graphiqlOptions } from './graphiql.js';
import { createLogger, requestLogWriter, yogaLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createGraphQLFastPath } from './node-graphql.js';
import { fromNodeRequest, writeReply } from './node-rest.js';
import { operationName, RequestInfo, requestInfoOf, trackRequest } from './request-info.js';
import { MAX_BODY_BYTES } from './request-body.js';
import { CALL_LIST_ROUTE, createRestCallListRoute } from './rest-call-list.js';
import { CALL_ROUTE, createRestCallRoutes } from './rest-calls.js';
import { createRestCustomFieldRoutes, CUSTOM_FIELD_ROUTE, CUSTOM_FIELDS_ROUTE } from './rest-custom-fields.js';
import {
  jsonReply,
  restError,
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE,
  serviceUnavailable,
  UNAVAILABLE_MESSAGE,
  unauthorized,
  unexpected,
  type RestReply,
  type RestRequest,
} from './rest-response.js';

/** The GraphQL abuse limits (graphql-armor), each configurable. */
export interface GraphQLLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
}

export const DEFAULT_LIMITS: GraphQLLimits = { maxDepth: 10, maxAliases: 15, maxTokens: 2000, maxDirectives: 50, maxCost: 5000 };

export interface AppDeps {
  store: CallStore;
  clock?: () => Date;
  authenticator?: Authenticator;
  /** pino logger, or false for silence (tests). */
  logger?: Logger | false;
  /** Introspection and the GraphiQL page; off for production. */
  introspection?: boolean;
  /** Development mode shows field suggestions in validation errors. */
  development?: boolean;
  limits?: Partial<GraphQLLimits>;
  /** /metrics: on or off, and a bearer token that protects it when set. */
  metrics?: { enabled: boolean; token?: string | null };
  /** Take the client address from X-Forwarded-For (behind a trusted proxy). */
  trustProxy?: boolean;
  /** How the admin mutations hash passwords and make API tokens; the real ones by default. */
  credentials?: CredentialFactory;
  /** graphql-jit for the REST documents and the operations /graphql runs often; false runs everything with graphql-js. */
  compiledExecution?: CompiledExecutionOptions | false;
}

const realCredentials: CredentialFactory = {
  hashPassword: (password) => hashPassword(password),
  newApiToken: () => {
    const secret = newApiToken();
    return { secret, hash: hashApiToken(secret) };
  },
};

const GRAPHQL_PATH = '/graphql';

const safeDecode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const authenticationRequired = () =>
  new GraphQLError('Authentication required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': CHALLENGE } } },
  });

const unavailableExtensions = { code: SERVICE_UNAVAILABLE, http: { status: 503, headers: { 'retry-after': RETRY_AFTER_SECONDS } } };

/** The GraphQL error for a request the database cannot serve now: HTTP 503, and no driver details. */
const graphqlUnavailable = () => new GraphQLError(UNAVAILABLE_MESSAGE, { extensions: unavailableExtensions });

const isStoreUnavailable = (error: unknown) =>
  error instanceof StoreUnavailableError || (error instanceof GraphQLError && error.originalError instanceof StoreUnavailableError);

/** 405 naming the methods a resource takes, e.g. "use GET or POST", with Allow. */
function methodNotAllowed(method: string, allowed: readonly string[]): RestReply {
  const choice = allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
  return restError(405, 'MethodNotAllowed', `${method} is not allowed here; use ${choice}`, { allow: allowed.join(', ') });
}

const tooManyLogins = (seconds: number) =>
  restError(429, 'TooManyRequests', `Too many failed logins; retry in ${seconds} seconds`, { 'retry-after': String(seconds) });

let lastValidHost: string | undefined;

function isValidHost(host: string | undefined): boolean {
  // Nearly every request names the same host as the one before: check each distinct one only once in a row.
  if (host === undefined || host === lastValidHost) return true;
  if (!/^[\w.:\[\]-]+$/.test(host) || !URL.canParse(`http://${host}/`)) return false;
  lastValidHost = host;
  return true;
}

/** Where a request comes from, for login throttling: the socket, or X-Forwarded-For's first hop behind a trusted proxy. */
function clientAddress(forwardedFor: string | null, socketAddress: string | null | undefined, trustProxy: boolean): string | null {
  if (trustProxy && forwardedFor) return forwardedFor.split(',')[0]!.trim() || null;
  return socketAddress ?? null;
}

/**
 * Builds the gateway: yoga serves /graphql (and GraphiQL), the REST shim
 * serves /api/v2, /healthz, /readyz and /metrics serve operators. REST and
 * GraphQL authenticate through the same Authenticator and GraphQL context.
 */
export function createApp(deps: AppDeps) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const authenticator = deps.authenticator ?? new Authenticator(store);
  const credentials = deps.credentials ?? realCredentials;
  const logger = deps.logger === false ? createLogger('silent') : (deps.logger ?? createLogger('info'));
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const introspection = deps.introspection ?? true;
  const metricsSetting = deps.metrics ?? { enabled: true };
  const trustProxy = deps.trustProxy ?? false;
  const metrics = createMetrics(store);
  const logRequest = requestLogWriter(logger);
  const stopCountingErrors = onResolvedError((error) => metrics.countGraphQLError(error.name));
  const viewers = new WeakMap<Request, Viewer>();
  const compiledExecution =
    deps.compiledExecution === false ? null : createCompiledExecution(deps.compiledExecution ?? DEFAULT_COMPILED_EXECUTION);

  // A query over a limit is a request error (400 for GraphQL-over-HTTP clients), not "Syntax Error: ...".
  const reject = {
    propagateOnRejection: false,
    onReject: [
      (_context: unknown, error: GraphQLError) => {
        throw new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
          extensions: { code: 'QUERY_LIMIT_EXCEEDED', http: { status: 400 } },
        });
      },
    ],
  };
  const armor = new EnvelopArmor({
    maxDepth: { n: limits.maxDepth, ...reject },
    maxAliases: { n: limits.maxAliases, ...reject },
    maxTokens: { n: limits.maxTokens, ...reject },
    maxDirectives: { n: limits.maxDirectives, ...reject },
    costLimit: { maxCost: limits.maxCost, ...reject },
    blockFieldSuggestion: { enabled: !deps.development },
  }).protect();

  /** A /graphql request's credentials: the outcome, or the database's unavailability. */
  async function checkGraphQLCredentials(request: Request, req: IncomingMessage | undefined): Promise<Authentication | StoreUnavailableError> {
    const address = clientAddress(request.headers.get('x-forwarded-for'), req?.socket?.remoteAddress, trustProxy);
    const outcome = await authenticator
      .check(request.headers.get('authorization'), address)
      .catch((error: unknown) => (error instanceof StoreUnavailableError ? error : Promise.reject(error)));
    if (req && !(outcome instanceof StoreUnavailableError) && outcome.kind === 'viewer') requestInfoOf(req)?.setUser(outcome.viewer.username);
    return outcome;
  }

  // /graphql authenticates before parsing, so an anonymous client learns nothing of the schema.
  // The fast path may have checked already: it hands its outcome over as `authentication`.
  const requireCredentials: Plugin<object, { req?: IncomingMessage; authentication?: Authentication | StoreUnavailableError }> = {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== GRAPHQL_PATH) return;
      const outcome = serverContext?.authentication ?? (await checkGraphQLCredentials(request, serverContext?.req));
      if (outcome instanceof StoreUnavailableError) {
        logger.warn({ err: outcome }, 'database unavailable');
        return endResponse(
          Response.json(
            { errors: [{ message: UNAVAILABLE_MESSAGE, extensions: { code: SERVICE_UNAVAILABLE } }] },
            { status: 503, headers: { 'retry-after': RETRY_AFTER_SECONDS } },
          ),
        );
      }
      if (outcome.kind === 'viewer') {
        viewers.set(request, outcome.viewer);
        return;
      }
      const throttled = outcome.kind === 'throttled';
      endResponse(
        Response.json(
          {
            errors: [
              throttled
                ? { message: `Too many failed logins; retry in ${outcome.retryAfterSeconds} seconds`, extensions: { code: 'RATE_LIMITED' } }
                : { message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } },
            ],
          },
          throttled
            ? { status: 429, headers: { 'retry-after': String(outcome.retryAfterSeconds) } }
            : { status: 401, headers: { 'www-authenticate': CHALLENGE } },
        ),
      );
    },
  };

  const withoutIntrospection: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };

  // Names the operation for logs and metrics; logs unexpected errors with their stack before masking hides it.
  const observeExecution: Plugin = {
    onExecute({ args }) {
      const req = (args.contextValue as { req?: IncomingMessage }).req;
      if (req) requestInfoOf(req)?.setOperation(`graphql ${operationName(args.document, args.operationName)}`);
      return {
        onExecuteDone({ result }) {
          if (!('errors' in result) || !result.errors) return;
          for (const error of result.errors) {
            const original = error.originalError;
            if (isStoreUnavailable(error)) {
              metrics.countGraphQLError(SERVICE_UNAVAILABLE);
              logger.warn({ err: original }, 'database unavailable');
              continue;
            }
            const unexpectedError = original && !(original instanceof GraphQLError);
            metrics.countGraphQLError(unexpectedError ? 'UNEXPECTED' : String(error.extensions?.code ?? 'GRAPHQL_ERROR'));
            if (unexpectedError) logger.error({ err: original }, 'unexpected error in a resolver');
          }
        },
      };
    },
  };

  const yoga = createYoga<{ req?: IncomingMessage }, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // The REST shim authenticates before reading a body and hands its viewer in; /graphql's comes from onRequest.
    context: async ({ request, viewer: known }: { request: Request | RestRequest; viewer?: Viewer }): Promise<GraphQLContext> => {
      const viewer =
        known ?? viewers.get(request as Request) ?? (await authenticator.authenticate(request.headers.get('authorization')));
      if (!viewer) throw authenticationRequired();
      return createGraphQLContext({ store, viewer, clock, credentials });
    },
    plugins: [
      requireCredentials,
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      ...armor.plugins,
      ...(introspection ? [] : [withoutIntrospection]),
      observeExecution,
      ...(compiledExecution ? [compiledExecution.plugin] : []),
    ],
    graphiql: introspection ? graphiqlOptions : false,
    // The offline GraphiQL bundle costs ~45 MB of memory: load it on the first page view, not at start-up.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    maskedErrors: {
      // A database outage is not a bug: the client gets 503 and may retry; the log still gets the cause.
      maskError: (error, message, isDev) => (isStoreUnavailable(error) ? graphqlUnavailable() : maskError(error, message, isDev)),
    },
    cors: false,
    landingPage: false,
    batching: false,
    multipart: false,
    maxRequestBodySize: MAX_BODY_BYTES,
    logging: yogaLogger(logger),
  });

  const serveGraphQLFast = createGraphQLFastPath(yoga as never, {
    maxBodyBytes: MAX_BODY_BYTES,
    authenticate: checkGraphQLCredentials,
    onUnexpected: (error, res) => {
      logger.error({ err: error }, 'unexpected error serving /graphql');
      if (res.headersSent) res.destroy();
      else writeReply(res, jsonReply(500, { errors: [{ message: 'Unexpected error.' }] }));
    },
  });
  const calls = createRestCallRoutes(yoga as never);
  const callList = createRestCallListRoute(yoga as never);
  const customFields = createRestCustomFieldRoutes(yoga as never);

  async function route(request: RestRequest, info: RequestInfo | null): Promise<RestReply> {
    const address = request.clientAddress ?? clientAddress(request.headers.get('x-forwarded-for'), null, trustProxy);
    const outcome: Authentication = await authenticator.check(request.headers.get('authorization'), address);
    if (outcome.kind === 'throttled') return tooManyLogins(outcome.retryAfterSeconds);
    if (outcome.kind === 'refused') return unauthorized();
    const { viewer } = outcome;
    info?.setUser(viewer.username);
    const url = new URL(request.url);
    if (url.pathname === CALL_LIST_ROUTE) {
      info?.setOperation(`${request.method} ${CALL_LIST_ROUTE}`);
      return request.method === 'GET' ? callList.get(request, viewer, url) : methodNotAllowed(request.method, ['GET']);
    }
    if (url.pathname === CUSTOM_FIELDS_ROUTE) {
      info?.setOperation(`${request.method} ${CUSTOM_FIELDS_ROUTE}`);
      switch (request.method) {
        case 'GET':
          return customFields.list(request, viewer);
        case 'POST':
          return customFields.create(request, viewer);
        default:
          return methodNotAllowed(request.method, ['GET', 'POST']);
      }
    }
    const fieldMatch = CUSTOM_FIELD_ROUTE.exec(url.pathname);
    if (fieldMatch) {
      info?.setOperation(`${request.method} /api/v2/custom_fields/{field_id}.json`);
      const fieldId = safeDecode(fieldMatch[1]!);
      switch (request.method) {
        case 'GET':
          return customFields.get(request, viewer, fieldId);
        case 'PUT':
          return customFields.update(request, viewer, url, fieldId);
        case 'DELETE':
          return customFields.remove(request, viewer, url, fieldId);
        default:
          return methodNotAllowed(request.method, ['GET', 'PUT', 'DELETE']);
      }
    }
    const match = CALL_ROUTE.exec(url.pathname);
    if (!match) return restError(404, 'NotFound', 'No such resource');
    info?.setOperation(`${request.method} /api/v2/calls/{call_id}.json`);
    const callId = safeDecode(match[1]!);
    switch (request.method) {
      case 'GET':
        return calls.get(request, viewer, callId);
      case 'PUT':
        return calls.put(request, viewer, callId);
      default:
        return methodNotAllowed(request.method, ['GET', 'PUT']);
    }
  }

  /** Every REST answer comes from here: an unexpected failure is logged with its stack and answered 500 without it. */
  async function handleRest(request: RestRequest, info: RequestInfo | null = null): Promise<RestReply> {
    try {
      return await route(request, info);
    } catch (error) {
      if (isStoreUnavailable(error)) {
        logger.warn({ err: error, reqId: info?.id }, 'database unavailable');
        return serviceUnavailable();
      }
      logger.error({ err: error, reqId: info?.id }, 'unexpected error in a REST route');
      return unexpected();
    }
  }

  /** /healthz, /readyz and /metrics: no auth, no data; null for any other path. */
  async function handleOps(pathname: string, authorization: string | null): Promise<RestReply | null> {
    switch (pathname) {
      case '/healthz':
        return jsonReply(200, { status: 'ok' });
      case '/readyz': {
        const readiness = await store.checkReady().catch(() => ({ ready: false as const, reason: 'database not reachable' }));
        return readiness.ready ? jsonReply(200, { status: 'ready' }) : jsonReply(503, { status: 'unavailable', reason: readiness.reason });
      }
      case '/metrics': {
        if (!metricsSetting.enabled) return restError(404, 'NotFound', 'No such resource');
        if (metricsSetting.token && authorization !== `Bearer ${metricsSetting.token}`) {
          return restError(401, 'Unauthorized', 'A metrics bearer token is required', { 'www-authenticate': 'Bearer realm="metrics"' });
        }
        return { status: 200, headers: { 'content-type': metrics.registry.contentType }, body: await metrics.registry.metrics() };
      }
      default:
        return null;
    }
  }

  const isRest = (path: string) => path.startsWith('/api/');

  /**
   * The Node entry: REST requests go straight to the shim (no Fetch objects);
   * everything else is yoga's, through its own HTTP adapter. Every request
   * gets an id (X-Request-Id is honoured and returned) and one log line.
   */
  function handleNode(req: IncomingMessage, res: ServerResponse): void {
    const info = trackRequest(req, res, randomUUID, (entry) => {
      logRequest(entry);
      metrics.observeRequest(entry.route, entry.status, entry.durationMs / 1000);
    });
    const path = req.url ?? '/';
    const pathname = path.split('?', 1)[0]!;
    // yoga's Node adapter builds a URL from the Host header; a malformed one must be a 400, not its stack trace.
    if (!isValidHost(req.headers.host)) {
      info.setOperation('bad request');
      writeReply(res, restError(400, 'BadRequest', 'The Host header is not a valid host'), info.id);
      return;
    }
    if (pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') {
      info.setOperation(`GET ${pathname}`);
      void handleOps(pathname, req.headers.authorization ?? null).then((reply) => writeReply(res, reply!, info.id));
      return;
    }
    if (!isRest(pathname)) {
      // yoga writes these responses itself
      res.setHeader('x-request-id', info.id);
      info.setOperation(pathname === GRAPHQL_PATH ? 'graphql' : 'unrouted');
      if (pathname === GRAPHQL_PATH && serveGraphQLFast(req, res, `http://${req.headers.host ?? 'localhost'}${path}`)) return;
      void yoga(req, res, { req });
      return;
    }
    info.setOperation('rest');
    const request = fromNodeRequest(req);
    request.clientAddress = clientAddress(request.headers.get('x-forwarded-for'), req.socket.remoteAddress, trustProxy);
    void handleRest(request, info).then((reply) => writeReply(res, reply, info.id));
  }

  function close() {
    stopCountingErrors();
  }

  return { handleNode, yoga, metrics, compiledExecution, graphqlDirectExecutions: serveGraphQLFast.directExecutions, close };
}

export type App = ReturnType<typeof createApp>;
