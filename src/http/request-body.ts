import type { CallStore } from '../store/call-store.js';
import type { IncomingMessage } from 'node:http';
import { parseJson } from '../core/json-text.js';
import { NodeHeaders } from './node-headers.js';
import { restError, type RestReply } from './reply.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * The one reader of request bodies (REST routes and the /graphql fast path):
 * the body as UTF-8, refused past `limit` bytes, declared or chunked, without
 * buffering more; `aborted` when the client went away first.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData).off('end', onEnd).off('error', onError);
        req.resume();
        resolve({ ok: false, reason: 'too_large' });
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    const onError = () => resolve({ ok: false, reason: 'aborted' });
    req.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

/** What a REST route reads of a request: no Fetch Request, URL or stream objects on the hot path. */
export interface RestRequest {
  method: string;
  /** The full URL, query string included; the host plays no part (it is client-controlled). */
  url: string;
  headers: NodeHeaders;
  /** The body as UTF-8, or a refusal past `limit` bytes (chunked or not) without buffering more. */
  readBody(limit: number): Promise<BodyResult>;
  /** The client's address (login throttling). */
  clientAddress: string | null;
  /** The request id (X-Request-Id), for the log line of an unexpected error. */
  id: string;
  /** The store its operations read through when it is not the app's: a recalled viewer's (provisional-reads.ts). */
  reads?: CallStore;
}

export function restRequest(req: IncomingMessage, clientAddress: string | null, id: string): RestRequest {
  return {
    id,
    method: req.method ?? 'GET',
    url: `http://localhost${req.url ?? '/'}`,
    headers: new NodeHeaders(req.headers),
    readBody: (limit) => readBody(req, limit),
    clientAddress,
  };
}

/** 413 for a body over the limit; 400 for one the client did not finish sending. */
export const bodyRefused = (reason: 'too_large' | 'aborted'): RestReply =>
  reason === 'too_large'
    ? restError(413, 'PayloadTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`)
    : restError(400, 'BadRequest', 'The request body ended before it was complete');

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** 415 unless the request says its body is JSON. */
export const unsupportedMediaType = (request: RestRequest): RestReply | null =>
  JSON_CONTENT_TYPE.test(request.headers.get('content-type') ?? '')
    ? null
    : restError(415, 'UnsupportedMediaType', 'Content-Type must be application/json');

/**
 * Reads a REST request's JSON body, or answers for it: 415 for another
 * content type, 413 over the size limit, 400 InvalidJSON saying where it broke.
 */
export async function readJsonRequest(request: RestRequest): Promise<{ ok: true; value: unknown } | { ok: false; reply: RestReply }> {
  const wrongType = unsupportedMediaType(request);
  if (wrongType) return { ok: false, reply: wrongType };
  const body = await request.readBody(MAX_BODY_BYTES);
  if (!body.ok) return { ok: false, reply: bodyRefused(body.reason) };
  const json = parseJson(body.text);
  if (!json.ok) return { ok: false, reply: restError(400, 'InvalidJSON', json.description) };
  return { ok: true, value: json.value };
}
