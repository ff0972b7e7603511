import { entityTagOf, namesCurrent, parseEntityTags, type EntityTagCondition } from './entity-tags.js';
import { restError, type RestReply } from './reply.js';
import type { RestRequest } from './request-body.js';

/** What a GET answer says about caching: any cache may keep it for this client only, and must ask (If-None-Match) before reusing it. */
export const CACHE_CONTROL = 'private, no-cache';

/** A request's If-Match and If-None-Match, each null when absent. */
export interface Conditions {
  ifMatch: EntityTagCondition | null;
  ifNoneMatch: EntityTagCondition | null;
}

const invalidHeader = (name: string) =>
  restError(
    400,
    'InvalidHeader',
    `${name} must be * or a comma-separated list of entity tags in double quotes, as ETag gives them (e.g. "Zm9vYmFy"; W/"..." for a weak one)`,
  );

/** The request's conditions, or the 400 for a header that is not `*` or a list of entity tags. */
export function readConditions(request: RestRequest): Conditions | RestReply {
  const conditions: Conditions = { ifMatch: null, ifNoneMatch: null };
  for (const [key, name] of [['ifMatch', 'If-Match'], ['ifNoneMatch', 'If-None-Match']] as const) {
    const header = request.headers.get(name);
    if (header === null) continue;
    const condition = parseEntityTags(header);
    if (!condition) return invalidHeader(name);
    conditions[key] = condition;
  }
  return conditions;
}

/** Whether a step answered the request instead of giving its value. */
export const isReply = <T extends object>(value: T | RestReply): value is RestReply => 'status' in value;

/**
 * GET (and HEAD, whose body Node leaves out) with HTTP caching, for every REST
 * resource: a 200 gets its ETag, the hash of its exact body, and
 * Cache-Control; then, as RFC 9110 §13.2.2 orders them, an If-Match that does
 * not name the ETag is a 412, and an If-None-Match that does (weakly) a 304
 * without a body. Other statuses pass unchanged: conditions apply to a
 * resource that exists.
 */
export async function conditionalGet(request: RestRequest, get: () => Promise<RestReply>): Promise<RestReply> {
  const conditions = readConditions(request);
  if (isReply(conditions)) return conditions;
  const reply = await get();
  if (reply.status !== 200) return reply;
  const etag = reply.headers.etag ?? entityTagOf(reply.body);
  const validators = { etag, 'cache-control': CACHE_CONTROL };
  if (conditions.ifMatch && !namesCurrent(conditions.ifMatch, etag, 'strong')) {
    return restError(412, 'PreconditionFailed', 'The resource has changed: If-Match does not name its current ETag');
  }
  if (conditions.ifNoneMatch && namesCurrent(conditions.ifNoneMatch, etag, 'weak')) return { status: 304, headers: validators, body: '' };
  return { ...reply, headers: { ...reply.headers, ...validators } };
}
