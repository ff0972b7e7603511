import { CHALLENGE } from '../auth/authenticator.js';

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' };

/**
 * What a REST route needs of a request, so the same routes serve `app.fetch`
 * (Fetch `Request`) and the Node server's direct path (IncomingMessage)
 * without building Fetch objects per request.
 */
export interface RestRequest {
  method: string;
  /** The full URL, query string included. */
  url: string;
  headers: { get(name: string): string | null };
  /** The body as UTF-8, or too_large past `limit` bytes (chunked or not) without buffering more. */
  readBody(limit: number): Promise<BodyResult>;
  /** The client's address when the transport knows it (login throttling). */
  clientAddress?: string | null;
}

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

export const unauthorized = () =>
  restError(401, 'Unauthorized', 'Valid credentials are required (HTTP Basic or Bearer token)', { 'www-authenticate': CHALLENGE });

export const unexpected = () => restError(500, 'InternalError', 'Unexpected error.');

/** The database is down, too slow or too contended right now: the client may retry. */
export const UNAVAILABLE_MESSAGE = 'The database is unavailable or busy; try again shortly';
export const RETRY_AFTER_SECONDS = '1';
/** The GraphQL error code for the same situation. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

export const serviceUnavailable = () =>
  restError(503, 'ServiceUnavailable', UNAVAILABLE_MESSAGE, { 'retry-after': RETRY_AFTER_SECONDS });
