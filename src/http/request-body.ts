import { parseJsonText } from './json-syntax.js';
import { restError, type RestReply, type RestRequest } from './rest-response.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Parses a JSON body (a leading byte-order mark is ignored). A failure names
 * the line and column where the JSON breaks; `__proto__` keys are dropped so
 * a body cannot reach prototypes. With `rawNumbers`, numbers stay JsonNumber
 * with their source text.
 */
export function parseJson(text: string, options: { rawNumbers?: boolean } = {}): { ok: true; value: unknown } | { ok: false; description: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, description: 'Request body is empty; expected a JSON object' };
  if (!options.rawNumbers) {
    try {
      return { ok: true, value: JSON.parse(body, (key, value) => (key === '__proto__' ? undefined : value)) };
    } catch {
      // parsed again below, to say where it breaks
    }
  }
  const parsed = parseJsonText(body, options);
  if (parsed.ok) return parsed;
  const before = body.slice(0, parsed.offset);
  const line = before.split('\n').length;
  const column = parsed.offset - before.lastIndexOf('\n');
  return { ok: false, description: `Invalid JSON at line ${line}, column ${column}: ${parsed.reason}` };
}

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
