import type { ServerResponse } from 'node:http';
import { CHALLENGE } from '../auth/authenticator.js';

export interface RestReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): RestReply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** The vendor's error body: `{"error": "...", "description": "..."}`. */
export function restError(status: number, error: string, description: string, headers: Record<string, string> = {}): RestReply {
  return jsonReply(status, { error, description }, headers);
}

/** The vendor's 400 for invalid input, with a message per attribute or entry. */
export const invalidRecord = (details: Record<string, string>) =>
  jsonReply(400, { error: 'InvalidRecord', description: 'Record Validation errors', details });

export const unauthorized = () =>
  restError(401, 'Unauthorized', 'Valid credentials are required (HTTP Basic or Bearer token)', { 'www-authenticate': CHALLENGE });

export const tooManyLogins = (seconds: number) =>
  restError(429, 'TooManyRequests', `Too many failed logins; retry in ${seconds} seconds`, { 'retry-after': String(seconds) });

export const unexpected = () => restError(500, 'InternalError', 'Unexpected error.');

/** 405 naming the methods a resource takes, e.g. "use GET or POST", with Allow. */
export function methodNotAllowed(method: string, allowed: readonly string[]): RestReply {
  const choice = allowed.length === 1 ? allowed[0]! : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
  return restError(405, 'MethodNotAllowed', `${method} is not allowed here; use ${choice}`, { allow: allowed.join(', ') });
}

/** The database is down, too slow or too contended right now: the client may retry. */
export const UNAVAILABLE_MESSAGE = 'The database is unavailable or busy; try again shortly';
export const RETRY_AFTER_SECONDS = '1';
/** The GraphQL error code for the same situation. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

export const serviceUnavailable = () =>
  restError(503, 'ServiceUnavailable', UNAVAILABLE_MESSAGE, { 'retry-after': RETRY_AFTER_SECONDS });

/** Writes a reply; its headers go out in one writeHead, which is cheaper in Node than setHeader first. */
export function writeReply(res: ServerResponse, reply: RestReply, requestId?: string): void {
  // The rest of a refused (413) body is discarded by Node as it arrives; requestTimeout bounds how long.
  // A 304 has no body, and a Content-Length there would have to be the 200's (RFC 9110 §8.6): none is sent.
  const headers = reply.status === 304 ? reply.headers : { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) };
  res.writeHead(reply.status, requestId === undefined ? headers : { 'x-request-id': requestId, ...headers });
  res.end(reply.body);
}
