import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cors } from './cors.js';
import { GRAPHQL_PATH, type GraphQLServer } from './graphql-server.js';
import { OPS_PATHS } from './ops.js';
import { restError, writeReply, type RestReply } from './reply.js';
import { restRequest, type RestRequest } from './request-body.js';
import type { RequestInfo, RequestTracker } from './request-log.js';

export interface NodeHandlerDeps {
  requests: RequestTracker;
  ops: (pathname: string, authorization: string | null) => Promise<RestReply>;
  rest: (request: RestRequest, info: RequestInfo) => Promise<RestReply>;
  graphql: GraphQLServer;
  /** Serves a /graphql request itself and answers true, or answers false for yoga's adapter to serve it. */
  graphqlFastPath: (req: IncomingMessage, res: ServerResponse, url: string) => boolean;
  /** The client's address, for login throttling. */
  clientAddress: (req: IncomingMessage) => string | null;
  /** CORS for the configured origins, or null for same-origin only. */
  cors: Cors | null;
}

/** Whether a Host header can name this server; each distinct one is checked once in a row. */
function hostCheck() {
  // Nearly every request names the same host as the one before.
  let lastValid: string | undefined;
  return (host: string | undefined): boolean => {
    if (host === undefined || host === lastValid) return true;
    if (!/^[\w.:\[\]-]+$/.test(host) || !URL.canParse(`http://${host}/`)) return false;
    lastValid = host;
    return true;
  };
}

/**
 * The Node entry, the one way in for HTTP: every request gets an id
 * (X-Request-Id is honoured and returned) and one log line. A request from an
 * allowed origin gets its CORS headers here, and a preflight its answer
 * before any credentials are checked. /healthz, /readyz
 * and /metrics answer operators; /api/ goes to the REST router (no Fetch
 * objects); everything else is yoga's, /graphql through the fast path where
 * it applies.
 */
export function createNodeHandler(deps: NodeHandlerDeps) {
  const isValidHost = hostCheck();
  const { cors } = deps;

  return function handleNode(req: IncomingMessage, res: ServerResponse): void {
    const info = deps.requests.track(req, res);
    const path = req.url ?? '/';
    const pathname = path.split('?', 1)[0]!;
    // yoga's Node adapter builds a URL from the Host header; a malformed one must be a 400, not its stack trace.
    if (!isValidHost(req.headers.host)) {
      info.setOperation('bad request');
      writeReply(res, restError(400, 'BadRequest', 'The Host header is not a valid host'), info.id);
      return;
    }
    if (cors !== null && cors.handle(req, res, pathname, info.id, (name) => info.setOperation(name))) return;
    if (OPS_PATHS.has(pathname)) {
      info.setOperation(`GET ${pathname}`);
      void deps.ops(pathname, req.headers.authorization ?? null).then((reply) => writeReply(res, reply, info.id));
      return;
    }
    if (!pathname.startsWith('/api/')) {
      // yoga writes these responses itself
      res.setHeader('x-request-id', info.id);
      info.setOperation(pathname === GRAPHQL_PATH ? 'graphql' : 'unrouted');
      if (pathname === GRAPHQL_PATH && deps.graphqlFastPath(req, res, `http://${req.headers.host ?? 'localhost'}${path}`)) return;
      void deps.graphql(req, res, { req });
      return;
    }
    info.setOperation('rest');
    void deps.rest(restRequest(req, deps.clientAddress(req), info.id), info).then((reply) => writeReply(res, reply, info.id));
  };
}
