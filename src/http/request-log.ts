import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, type DocumentNode } from 'graphql';

/** One log line per request: never credentials, tokens or custom field values. */
export interface RequestLogEntry {
  reqId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  user: string | null;
}

export class RequestInfo {
  operation = 'unknown';
  user: string | null = null;
  constructor(readonly id: string) {}
  setOperation(operation: string) {
    this.operation = operation;
  }
  setUser(username: string) {
    this.user = username;
  }
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives each request its id (a client's X-Request-Id when it is a sane token,
 * else a fresh one) and reports the request once the response has been sent;
 * whoever writes the response returns the id as X-Request-Id. One tracker per
 * app: the requests it knows are its own.
 */
export function createRequestTracker(newId: () => string, onDone: (entry: RequestLogEntry) => void) {
  const infos = new WeakMap<IncomingMessage, RequestInfo>();

  function track(req: IncomingMessage, res: ServerResponse): RequestInfo {
    const offered = req.headers['x-request-id'];
    const info = new RequestInfo(typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : newId());
    infos.set(req, info);
    const started = performance.now();
    res.once('close', () =>
      onDone({
        reqId: info.id,
        method: req.method ?? 'GET',
        route: info.operation,
        status: res.statusCode,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        user: info.user,
      }),
    );
    return info;
  }

  return { track, infoOf: (req: IncomingMessage) => infos.get(req) };
}

export type RequestTracker = ReturnType<typeof createRequestTracker>;

export function operationName(document: DocumentNode, name: string | null | undefined): string {
  return getOperationAST(document, name)?.name?.value ?? 'anonymous';
}
