import { CHALLENGE } from './auth.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}

/** The vendor's error body: `{"error": "...", "description": "..."}`. */
export function restError(status: number, error: string, description: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error, description }, headers);
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
