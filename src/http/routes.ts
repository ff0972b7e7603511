import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticator.js';
import type { Viewer } from '../core/viewer.js';
import { conditionalGet } from './conditional-requests.js';
import { isStoreUnavailable } from './graphql-server.js';
import { createOpenApiRoute, OPENAPI_PATH } from './openapi.js';
import { methodNotAllowed, restError, serviceUnavailable, tooManyLogins, unauthorized, unexpected, type RestReply } from './reply.js';
import type { RestRequest } from './request-body.js';
import type { ProvisionalReads } from './provisional-reads.js';
import type { RequestInfo } from './request-log.js';
import { createRestCallListRoute } from './rest/call-list.js';
import { createRestCallRoutes } from './rest/calls.js';
import { createRestCustomFieldRoutes } from './rest/custom-fields.js';
import { createRestHistoryRoutes } from './rest/history.js';
import type { OperationRunner } from './rest/operation.js';
import { createRestWebhookRoutes } from './rest/webhooks.js';

/** What a route's handler gets: the request, the authenticated viewer, the decoded path parameter and the URL. */
type Handler = (request: RestRequest, viewer: Viewer, target: { id: string; url: URL }) => Promise<RestReply>;

export interface Route {
  /** The path as the operation is named in logs and metrics. */
  path: string;
  pattern: RegExp;
  methods: Readonly<Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>>;
}

/** The REST routes, in the order they are matched: method, path pattern, handler. */
export function restRoutes(operations: OperationRunner): Route[] {
  const calls = createRestCallRoutes(operations);
  const callList = createRestCallListRoute(operations);
  const fields = createRestCustomFieldRoutes(operations);
  const history = createRestHistoryRoutes(operations);
  const webhooks = createRestWebhookRoutes(operations);
  return [
    {
      path: '/api/v2/calls.json',
      pattern: /^\/api\/v2\/calls\.json$/,
      methods: { GET: (request, viewer, { url }) => callList.get(request, viewer, url) },
    },
    {
      path: '/api/v2/custom_fields.json',
      pattern: /^\/api\/v2\/custom_fields\.json$/,
      methods: { GET: (request, viewer) => fields.list(request, viewer), POST: (request, viewer) => fields.create(request, viewer) },
    },
    {
      path: '/api/v2/custom_fields/{field_id}.json',
      pattern: /^\/api\/v2\/custom_fields\/([^/]+)\.json$/,
      methods: {
        GET: (request, viewer, { id }) => fields.get(request, viewer, id),
        PUT: (request, viewer, { id, url }) => fields.update(request, viewer, url, id),
        DELETE: (request, viewer, { id, url }) => fields.remove(request, viewer, url, id),
      },
    },
    {
      path: '/api/v2/calls/{call_id}.json',
      pattern: /^\/api\/v2\/calls\/([^/]+)\.json$/,
      methods: {
        GET: (request, viewer, { id }) => calls.get(request, viewer, id),
        PUT: (request, viewer, { id }) => calls.put(request, viewer, id),
      },
    },
    {
      path: '/api/v2/calls/{call_id}/custom_fields/history.json',
      pattern: /^\/api\/v2\/calls\/([^/]+)\/custom_fields\/history\.json$/,
      methods: { GET: (request, viewer, { id, url }) => history.history(request, viewer, id, url) },
    },
    {
      path: '/api/v2/changes.json',
      pattern: /^\/api\/v2\/changes\.json$/,
      methods: { GET: (request, viewer, { url }) => history.feed(request, viewer, url) },
    },
    {
      path: '/api/v2/webhooks.json',
      pattern: /^\/api\/v2\/webhooks\.json$/,
      methods: { GET: (request, viewer) => webhooks.list(request, viewer), POST: (request, viewer) => webhooks.create(request, viewer) },
    },
    {
      path: '/api/v2/webhooks/{webhook_id}.json',
      pattern: /^\/api\/v2\/webhooks\/([^/]+)\.json$/,
      methods: {
        GET: (request, viewer, { id }) => webhooks.get(request, viewer, id),
        PUT: (request, viewer, { id }) => webhooks.update(request, viewer, id),
        DELETE: (request, viewer, { id }) => webhooks.remove(request, viewer, id),
      },
    },
    {
      path: '/api/v2/webhooks/{webhook_id}/deliveries.json',
      pattern: /^\/api\/v2\/webhooks\/([^/]+)\/deliveries\.json$/,
      methods: { GET: (request, viewer, { id, url }) => webhooks.deliveries(request, viewer, id, url) },
    },
    {
      path: '/api/v2/webhooks/{webhook_id}/rotate_secret.json',
      pattern: /^\/api\/v2\/webhooks\/([^/]+)\/rotate_secret\.json$/,
      methods: { POST: (request, viewer, { id, url }) => webhooks.rotateSecret(request, viewer, id, url) },
    },
    {
      path: '/api/v2/webhooks/{webhook_id}/test.json',
      pattern: /^\/api\/v2\/webhooks\/([^/]+)\/test\.json$/,
      methods: { POST: (request, viewer, { id }) => webhooks.sendTest(request, viewer, id) },
    },
    {
      path: '/api/v2/webhook_deliveries/{delivery_id}/redeliver.json',
      pattern: /^\/api\/v2\/webhook_deliveries\/([^/]+)\/redeliver\.json$/,
      methods: { POST: (request, viewer, { id }) => webhooks.redeliver(request, viewer, id) },
    },
  ];
}

/** The methods a resource takes, as Allow lists them: HEAD wherever GET is. */
export const allowedMethods = (methods: Route['methods']) => Object.keys(methods).flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method]));

const safeDecode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** A viewer recalled for an Authorization header, with the reads that confirm it (app.ts); null to check the credentials first. */
export type RecallViewer = (authorization: string | null) => { viewer: Viewer; reads: ProvisionalReads } | null;

/**
 * Serves REST requests from a route table. Credentials are checked before
 * anything is answered (401 before 404: a client without them learns nothing
 * of what exists), except for the OpenAPI description (openapi.ts): a GET on a
 * recalled viewer is answered only once its first read confirmed the viewer,
 * else served again after a full check (provisional-reads.ts); then the
 * route and method decide, HEAD and every GET with HTTP caching
 * (conditional-requests.ts). Every REST answer comes
 * from here: an unexpected failure is logged with its stack and answered 500
 * without it, a database that cannot serve now 503.
 */
export function createRestRouter(routes: readonly Route[], authenticator: Authenticator, logger: Logger, recall: RecallViewer = () => null) {
  const describeApi = createOpenApiRoute();

  async function route(request: RestRequest, info: RequestInfo): Promise<RestReply> {
    const url = new URL(request.url);
    if (url.pathname === OPENAPI_PATH) {
      // The description of the API, not data: no credentials needed.
      info.setOperation(`${request.method} ${OPENAPI_PATH}`);
      return describeApi(request);
    }
    // A read served on a recalled viewer stands if its first read confirms the viewer; else it is served again, checked.
    const recalled = request.method === 'GET' || request.method === 'HEAD' ? recall(request.headers.get('authorization')) : null;
    if (recalled) {
      const served = await (async () => serve({ ...request, reads: recalled.reads.store }, info, url, recalled.viewer))().then(
        (reply) => ({ reply }),
        (error: unknown) => ({ error }),
      );
      if (await recalled.reads.confirmed()) {
        if ('error' in served) throw served.error;
        return served.reply;
      }
    }
    const outcome = await authenticator.check(request.headers.get('authorization'), request.clientAddress);
    if (outcome.kind === 'throttled') return tooManyLogins(outcome.retryAfterSeconds);
    if (outcome.kind === 'refused') return unauthorized();
    return serve(request, info, url, outcome.viewer);
  }

  function serve(request: RestRequest, info: RequestInfo, url: URL, viewer: Viewer): Promise<RestReply> | RestReply {
    info.setUser(viewer.username);
    for (const { path, pattern, methods } of routes) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      info.setOperation(`${request.method} ${path}`);
      const target = { id: safeDecode(match[1] ?? ''), url };
      if ((request.method === 'GET' || request.method === 'HEAD') && methods.GET) return conditionalGet(request, () => methods.GET!(request, viewer, target));
      const handler = methods[request.method as keyof typeof methods];
      if (!handler) return methodNotAllowed(request.method, allowedMethods(methods));
      return handler(request, viewer, target);
    }
    return restError(404, 'NotFound', 'No such resource');
  }

  return async function handle(request: RestRequest, info: RequestInfo): Promise<RestReply> {
    try {
      return await route(request, info);
    } catch (error) {
      if (isStoreUnavailable(error)) {
        logger.warn({ err: error, reqId: info.id }, 'database unavailable');
        return serviceUnavailable();
      }
      logger.error({ err: error, reqId: info.id }, 'unexpected error in a REST route');
      return unexpected();
    }
  };
}
