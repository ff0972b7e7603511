import { parseJson } from '../core/json-text.js';
import { restError, type RestReply, type RestRequest } from './rest-response.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a REST request's JSON body, or answers for it: 415 for another
 * content type, 413 over the size limit, 400 InvalidJSON saying where it broke.
 */
export async function readJsonRequest(request: RestRequest): Promise<{ ok: true; value: unknown } | { ok: false; reply: RestReply }> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return { ok: false, reply: restError(415, 'UnsupportedMediaType', 'Content-Type must be application/json') };
  }
  const body = await request.readBody(MAX_BODY_BYTES);
  if (!body.ok) return { ok: false, reply: restError(413, 'PayloadTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`) };
  const json = parseJson(body.text);
  if (!json.ok) return { ok: false, reply: restError(400, 'InvalidJSON', json.description) };
  return { ok: true, value: json.value };
}
