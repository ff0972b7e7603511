import { findJsonSyntaxError } from './json-syntax.js';
import { restError } from './rest-response.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' };

/** Reads a request body as UTF-8, refusing (without buffering the rest) one over `limit` bytes, chunked or not. */
export async function readBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) return { ok: false, reason: 'too_large' };
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/**
 * Parses a JSON body. A failure names the line and column where the JSON
 * breaks; `__proto__` keys are dropped so a body cannot reach prototypes.
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; description: string } {
  if (text.trim() === '') return { ok: false, description: 'Request body is empty; expected a JSON object' };
  const error = findJsonSyntaxError(text);
  if (error) {
    const before = text.slice(0, error.offset);
    const line = before.split('\n').length;
    const column = error.offset - before.lastIndexOf('\n');
    return { ok: false, description: `Invalid JSON at line ${line}, column ${column}: ${error.reason}` };
  }
  return { ok: true, value: JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value)) };
}

/**
 * Reads a REST request's JSON body, or answers for it: 415 for another
 * content type, 413 over the size limit, 400 InvalidJSON saying where it broke.
 */
export async function readJsonRequest(request: Request): Promise<{ value: unknown } | Response> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    return restError(415, 'UnsupportedMediaType', 'Content-Type must be application/json');
  }
  const body = await readBodyText(request);
  if (!body.ok) return restError(413, 'PayloadTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  const json = parseJson(body.text);
  if (!json.ok) return restError(400, 'InvalidJSON', json.description);
  return { value: json.value };
}
