import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticator.js';
import { hashApiToken, hashPassword, newApiToken } from '../auth/credentials.js';
import type { Viewer } from '../core/viewer.js';
import type { UrlPolicy } from '../core/webhooks.js';
import type { CredentialFactory, WebhookAdmin } from '../graphql/context.js';
import { StoreUnavailableError, type CallStore } from '../store/call-store.js';
import { ChangeFeed } from '../store/change-feed.js';
import { newWebhookSecret } from '../store/webhook-secrets.js';
import type { WebhookStore } from '../store/webhook-store.js';
import { checkWebhookUrlResolved, type Lookup } from '../store/webhook-url.js';
import { createCompiledExecution, DEFAULT_COMPILED_EXECUTION, type CompiledExecutionOptions } from './compiled-execution.js';
import { createCors } from './cors.js';
import { createGraphQLFastPath } from './graphql-fast-path.js';
import { createGraphQLServer, DEFAULT_LIMITS, type CheckCredentials, type GraphQLLimits } from './graphql-server.js';
import { createLogger, requestLogWriter } from './logger.js';
import { createMetrics } from './metrics.js';
import { createNodeHandler } from './node-handler.js';
import { createOps } from './ops.js';
import { createPersistedDocuments, type PersistedDocumentsOptions, type ReloadOutcome } from './persisted-documents.js';
import { jsonReply, writeReply } from './reply.js';
import { MAX_BODY_BYTES } from './request-body.js';
import { createRequestTracker } from './request-log.js';
import { createOperationRunner } from './rest/operation.js';
import { createRestRouter, restRoutes, type RecallViewer } from './routes.js';
import { carriesCredentials, provisionalReads } from './provisional-reads.js';
import { createCredentialWatch } from './credential-watch.js';
import { createStreamCounter } from './stream-limits.js';
import { createWebSocketGateway, DEFAULT_WEBSOCKET_LIMITS, type WebSocketLimits } from './websocket.js';

export { DEFAULT_LIMITS, DEFAULT_WEBSOCKET_LIMITS, type GraphQLLimits, type WebSocketLimits };

/** Open subscription streams per API user, across connections, unless configured (SUBSCRIPTIONS_MAX_PER_USER). */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_USER = 100;
/** Change records buffered per subscriber, unless configured (SUBSCRIPTION_MAX_BUFFERED_EVENTS). */
export const DEFAULT_MAX_BUFFERED_EVENTS = 1000;

export interface AppDeps {
  store: CallStore;
  clock?: () => Date;
  /** How credentials are checked; by default an Authenticator on the store (tests inject their own). */
  authenticator?: Authenticator;
  /** How long a verified password login is trusted without running scrypt again (AUTH_CACHE_TTL_SECONDS), for the default authenticator. */
  authCacheTtlMs?: number;
  /** pino logger, or false for silence (tests). */
  logger?: Logger | false;
  /** Introspection and the GraphiQL page; off for production. */
  introspection?: boolean;
  /** Development mode shows field suggestions in validation errors. */
  development?: boolean;
  limits?: Partial<GraphQLLimits>;
  /** The most calls one bulk edit applies to (BULK_EDIT_MAX_CALLS). */
  bulkEditLimit?: number;
  /**
   * Webhook administration: the store's webhooks and the operator's URL policy (by default the store's, https and
   * public addresses only); a string says why there is none (GraphQL answers it as WEBHOOKS_UNAVAILABLE).
   */
  webhooks?: { store: WebhookStore; policy: UrlPolicy; lookup?: Lookup } | string;
  /** /metrics: on or off, and a bearer token that protects it when set. */
  metrics?: { enabled: boolean; token?: string | null };
  /** Take the client address from X-Forwarded-For (behind a trusted proxy). */
  trustProxy?: boolean;
  /** How the admin mutations hash passwords and make API tokens; the real ones by default. */
  credentials?: CredentialFactory;
  /** graphql-jit for the REST documents and the operations /graphql runs often; false runs everything with graphql-js. */
  compiledExecution?: CompiledExecutionOptions | false;
  /** Exact origins allowed to call every route from a browser (CORS, with credentials); none by default. */
  corsOrigins?: readonly string[];
  /** Trusted documents (PERSISTED_DOCUMENTS): the manifests and the mode; none by default. */
  persistedDocuments?: PersistedDocumentsOptions | null;
  /** GraphQL over WebSocket: subscriptions per connection, ping interval, message size. */
  webSocket?: Partial<WebSocketLimits>;
  maxSubscriptionsPerUser?: number;
  /** Change records buffered per subscriber before it is ended as too slow (SUBSCRIPTION_MAX_BUFFERED_EVENTS). */
  maxBufferedEvents?: number;
  /** How often open streams' credentials are checked again; tests shorten it. */
  recheckCredentialsMs?: number;
  /**
   * Serve requests on viewers recalled from earlier checks, confirmed by their first read, where the store can carry
   * credentials with its reads (PostgreSQL; provisional-reads.ts). On by default; false checks every request's
   * credentials in a round trip of their own first.
   */
  recallViewers?: boolean;
}

const realCredentials: CredentialFactory = {
  hashPassword: (password) => hashPassword(password),
  newApiToken: () => {
    const secret = newApiToken();
    return { secret, hash: hashApiToken(secret) };
  },
};

/**
 * The composition root: builds each part of the gateway from the injected
 * dependencies and wires them together. Nothing here is shared between two
 * apps: caches, counters and listeners belong to the instance.
 *
 * - node-handler.ts: the one HTTP entry (request ids, logs, dispatch)
 * - routes.ts: the REST route table, rest/: its routes as typed GraphQL documents
 * - graphql-server.ts: yoga and its plugins; graphql-fast-path.ts: the common /graphql request
 * - websocket.ts: GraphQL over WebSocket (graphql-ws) on /graphql
 * - ops.ts: /healthz, /readyz, /metrics
 */
export function createApp(deps: AppDeps) {
  const { store } = deps;
  const recalling = deps.recallViewers !== false && carriesCredentials(store);
  const authenticator = deps.authenticator ?? new Authenticator(store, { cacheTtlMs: deps.authCacheTtlMs, rememberTokens: recalling });
  const logger = deps.logger === false ? createLogger('silent') : (deps.logger ?? createLogger('info'));
  const webhookAdmin = webhookAdminOf(deps);
  const metrics = createMetrics(store, typeof webhookAdmin === 'string' ? undefined : webhookAdmin.store);
  const logRequest = requestLogWriter(logger);
  const requests = createRequestTracker(randomUUID, (entry) => {
    logRequest(entry);
    metrics.observeRequest(entry.route, entry.status, entry.durationMs / 1000);
  });
  const compiledExecution =
    deps.compiledExecution === false ? null : createCompiledExecution(deps.compiledExecution ?? DEFAULT_COMPILED_EXECUTION);
  const trustProxy = deps.trustProxy ?? false;

  /** Where a request comes from, for login throttling: the socket, or X-Forwarded-For's first hop behind a trusted proxy. */
  const clientAddress = (req: IncomingMessage): string | null => {
    const forwardedFor = req.headers['x-forwarded-for'];
    if (trustProxy && typeof forwardedFor === 'string' && forwardedFor) return forwardedFor.split(',')[0]!.trim() || null;
    return req.socket?.remoteAddress ?? null;
  };

  const checkAuthorization = (authorization: string | null, req: IncomingMessage | undefined) =>
    authenticator
      .check(authorization, req ? clientAddress(req) : null)
      .catch((error: unknown) => (error instanceof StoreUnavailableError ? error : Promise.reject(error)));

  /** A viewer recalled for these credentials and the reads that confirm it, where the store can carry them. */
  const recallViewer: RecallViewer =
    recalling && carriesCredentials(store)
      ? (authorization) => {
          const recalled = authenticator.recall(authorization);
          return recalled && { viewer: recalled.viewer, reads: provisionalReads(store, recalled, metrics.countRecalledViewer) };
        }
      : () => null;

  const checkCredentials: CheckCredentials = async (request, req) => {
    const outcome = await checkAuthorization(request.headers.get('authorization'), req);
    if (req && !(outcome instanceof StoreUnavailableError) && outcome.kind === 'viewer') requests.infoOf(req)?.setUser(outcome.viewer.username);
    return outcome;
  };

  const persistedDocuments = deps.persistedDocuments ? createPersistedDocuments(deps.persistedDocuments) : null;
  /** Reads the manifests again (on SIGHUP): a failure keeps the documents in use and is logged. */
  const reloadPersistedDocuments = (): ReloadOutcome | null => {
    if (!persistedDocuments) return null;
    const outcome = persistedDocuments.reload();
    if (outcome.ok) logger.info({ documents: outcome.documents, files: persistedDocuments.paths }, 'trusted documents reloaded');
    else logger.error({ error: outcome.error, documents: persistedDocuments.size() }, 'trusted documents not reloaded: still serving the previous set');
    return outcome;
  };

  const changeFeed = new ChangeFeed(
    store,
    (error) => logger.warn({ err: error }, 'live updates: reading the change log failed; retrying'),
    deps.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS,
  );
  const streams = createStreamCounter(deps.maxSubscriptionsPerUser ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_USER);
  const credentialWatch = createCredentialWatch({ authenticate: checkAuthorization, logger, everyMs: deps.recheckCredentialsMs });

  const graphql = createGraphQLServer({
    store,
    changeFeed,
    clock: deps.clock ?? (() => new Date()),
    authenticator,
    credentials: deps.credentials ?? realCredentials,
    logger,
    metrics,
    requests,
    checkCredentials,
    clientAddress,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    bulkEditLimit: deps.bulkEditLimit,
    webhooks: webhookAdmin,
    introspection: deps.introspection ?? true,
    development: deps.development ?? false,
    compiledExecution,
    persistedDocuments,
    streams,
    credentialWatch,
  });
  const operations = createOperationRunner(graphql as never, compiledExecution?.compileFixed ?? null);
  const graphqlFastPath = createGraphQLFastPath(graphql as never, {
    maxBodyBytes: MAX_BODY_BYTES,
    authenticate: checkCredentials,
    ...(recalling && {
      recall: (request: Request, req: IncomingMessage) => {
        const recalled = recallViewer(request.headers.get('authorization'));
        if (!recalled) return null;
        requests.infoOf(req)?.setUser(recalled.viewer.username);
        return { viewer: recalled.viewer, context: { store: recalled.reads.store }, confirmed: recalled.reads.confirmed };
      },
    }),
    // Trusted documents run by id; in require mode only an admin's query text runs, anyone else's goes to yoga, whose plugin refuses it.
    ...(persistedDocuments ? { trustedDocument: persistedDocuments.get } : {}),
    ...(persistedDocuments?.mode === 'require' ? { runsQueryText: (viewer: Viewer) => viewer.role === 'admin' } : {}),
    onUnexpected: (error, res) => {
      logger.error({ err: error }, 'unexpected error serving /graphql');
      if (res.headersSent) res.destroy();
      else writeReply(res, jsonReply(500, { errors: [{ message: 'Unexpected error.' }] }));
    },
  });
  const routes = restRoutes(operations);
  const handleNode = createNodeHandler({
    requests,
    ops: createOps({ store, metrics, metricsSetting: deps.metrics ?? { enabled: true } }),
    rest: createRestRouter(routes, authenticator, logger, recalling ? recallViewer : undefined),
    graphql,
    graphqlFastPath,
    clientAddress,
    cors: createCors(deps.corsOrigins ?? [], routes),
  });

  const webSockets = createWebSocketGateway({
    graphql,
    authenticate: checkAuthorization,
    logger,
    limits: { ...DEFAULT_WEBSOCKET_LIMITS, ...deps.webSocket },
    streams,
    credentials: credentialWatch,
    corsOrigins: deps.corsOrigins ?? [],
    persistedDocuments,
    development: deps.development ?? false,
  });

  return {
    handleNode,
    webSockets,
    yoga: graphql,
    metrics,
    compiledExecution,
    graphqlDirectExecutions: graphqlFastPath.directExecutions,
    reloadPersistedDocuments,
    /** Ends every open subscription stream (their responses complete) and stops watching the store: before closing it. */
    closeSubscriptions: () => {
      credentialWatch.stop();
      return changeFeed.close();
    },
  };
}

export type App = ReturnType<typeof createApp>;

type AppWebhooks = Exclude<AppDeps['webhooks'], undefined>;

/** The store's webhooks under a URL policy, or why there are none (e.g. no WEBHOOK_SECRET_KEY on PostgreSQL). */
export function openWebhooks(store: CallStore, secretKey: string | undefined, policy: UrlPolicy): AppWebhooks {
  if (!store.webhooks) return 'Webhooks are not available on this store';
  try {
    return { store: store.webhooks({ secretKey }), policy };
  } catch (error) {
    return `Webhooks are unavailable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** The webhook admin the GraphQL context carries, from the app's deps (by default https and public addresses only). */
function webhookAdminOf({ store, webhooks }: Pick<AppDeps, 'store' | 'webhooks'>): WebhookAdmin | string {
  const given = webhooks ?? openWebhooks(store, undefined, { allowHttpHosts: [], allowPrivate: false });
  if (typeof given === 'string') return given;
  const { store: webhookStore, policy, lookup } = given;
  return { store: webhookStore, checkUrl: (url) => checkWebhookUrlResolved(url, policy, lookup), newSecret: newWebhookSecret };
}
