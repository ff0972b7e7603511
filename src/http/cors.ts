import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSRF_HEADER, GRAPHQL_PATH } from './graphql-server.js';
import { OPS_PATHS } from './ops.js';
import { OPENAPI_PATH } from './openapi.js';
import { allowedMethods, type Route } from './routes.js';

/** How long a browser may cache a preflight's answer, in seconds (browsers cap it: Chromium at 7200, Firefox at 86400). */
export const CORS_MAX_AGE_SECONDS = 600;

/** The request headers clients send, allowed on every route. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'X-Request-Id', CSRF_HEADER];

/** The response headers a browser's script may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'X-Request-Id', 'Location', 'Retry-After'];

/**
 * The problem with one CORS_ORIGINS entry, or null when it is an exact origin
 * (`scheme://host[:port]`, as a browser sends it in Origin: lower case, no
 * default port, no path). `*` is refused: responses allow credentials.
 */
export function corsOriginProblem(entry: string): string | null {
  if (entry === '*') return '"*" cannot be used because credentials are allowed; list the exact origins';
  const valid = URL.canParse(entry) && /^https?:$/.test(new URL(entry).protocol) && new URL(entry).origin === entry;
  return valid ? null : `"${entry}" is not an origin: use scheme://host[:port] with no path, e.g. https://app.example.com`;
}

export interface Cors {
  /**
   * Handles a request from an allowed origin: answers a preflight (OPTIONS
   * with Access-Control-Request-Method) with 204 and returns true, or sets
   * the headers of an actual response and returns false. A request without
   * an Origin header, or from another origin, gets only `Vary: Origin`.
   */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string, setOperation: (name: string) => void): boolean;
}

/**
 * CORS for every route from a list of exact origins; null for an empty list
 * (same-origin only), so the Node entry does nothing per request. The methods
 * a preflight allows are each route's: the REST table's (and OPTIONS), GET
 * and POST for /graphql, GET for the ops endpoints.
 */
export function createCors(origins: readonly string[], routes: readonly Route[]): Cors | null {
  if (origins.length === 0) return null;
  const allowed = new Set(origins);
  const allowHeaders = CORS_ALLOWED_HEADERS.join(', ');
  const exposeHeaders = CORS_EXPOSED_HEADERS.join(', ');
  const maxAge = String(CORS_MAX_AGE_SECONDS);
  const restMethods = routes.map((route) => ({ route, methods: [...allowedMethods(route.methods), 'OPTIONS'].join(', ') }));

  /** The methods of the resource at this path and its name for logs, or null for a path no route serves. */
  function methodsAt(pathname: string): { methods: string; operation: string } | null {
    if (pathname === GRAPHQL_PATH) return { methods: 'GET, POST', operation: `OPTIONS ${GRAPHQL_PATH}` };
    if (OPS_PATHS.has(pathname)) return { methods: 'GET', operation: `OPTIONS ${pathname}` };
    if (pathname === OPENAPI_PATH) return { methods: 'GET, HEAD, OPTIONS', operation: `OPTIONS ${OPENAPI_PATH}` };
    if (!pathname.startsWith('/api/')) return null;
    const found = restMethods.find(({ route }) => route.pattern.test(pathname));
    return found ? { methods: found.methods, operation: `OPTIONS ${found.route.path}` } : null;
  }

  return {
    handle(req, res, pathname, requestId, setOperation) {
      // What a response says depends on Origin whenever CORS is on: a shared cache must not reuse it across origins.
      res.setHeader('vary', 'Origin');
      const origin = req.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return false;
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
        const resource = methodsAt(pathname);
        if (resource) {
          setOperation(resource.operation);
          res.writeHead(204, {
            'x-request-id': requestId,
            'access-control-allow-origin': origin,
            'access-control-allow-credentials': 'true',
            'access-control-allow-methods': resource.methods,
            'access-control-allow-headers': allowHeaders,
            'access-control-max-age': maxAge,
            vary: 'Origin',
          });
          res.end();
          return true;
        }
      }
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', exposeHeaders);
      return false;
    },
  };
}
