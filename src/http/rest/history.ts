import { MAX_PAGE_SIZE } from '../../core/call-list.js';
import { normalizeTimestamp, UUID } from '../../core/call.js';
import { CHANGE_CHANNELS, sequenceCursor, vendorChange, type ChangeChannel, type ChangeKind, type ChangeRecord, type VendorChange } from '../../core/change-log.js';
import type { Viewer } from '../../core/viewer.js';
import { PAGE_SIZES } from '../../graphql/query-limits.js';
import { jsonReply, restError, type RestReply } from '../reply.js';
import type { RestRequest } from '../request-body.js';
import { queryFailure, readKnownParams } from './call-list.js';
import { CALL_HISTORY, CHANGES, type RestChange, type VariablesOf } from './documents.js';
import type { OperationRunner } from './operation.js';

const CHANGES_ROUTE = '/api/v2/changes.json';
const historyRoute = (callId: string) => `/api/v2/calls/${encodeURIComponent(callId)}/custom_fields/history.json`;

export const HISTORY_DEFAULT_LIMIT = PAGE_SIZES['Call.history']!.default;
export const CHANGES_DEFAULT_LIMIT = PAGE_SIZES['Query.changes']!.default;

type Read<T> = { ok: true; params: T } | { ok: false; description: string };

export interface HistoryParams {
  limit: number;
  /** Records with a smaller sequence only: the cursor next_url carries. */
  before: number | null;
  /** A field id or name, as given. */
  field: string | null;
}

export interface ChangeFeedParams {
  after: number;
  limit: number;
  callId: string | null;
  field: string | null;
  actor: string | null;
  channel: ChangeChannel | null;
  /** Instants in UTC (normalized from any offset): since included, until not. */
  since: string | null;
  until: string | null;
}

/** A parameter's value refused, with what is accepted; read*Params answer it as a 400. */
class InvalidParameter extends Error {}

function readLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1 || Number(text) > MAX_PAGE_SIZE) {
    throw new InvalidParameter(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got "${text}"`);
  }
  return Number(text);
}

/** A sequence as `after` and `before` take it: a whole number (leading zeros allowed) up to the largest safe integer. */
function readSequence(name: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidParameter(`${name} must be a whole number of 0 or more (a record's sequence, at most ${Number.MAX_SAFE_INTEGER}), got "${text}"`);
  }
  return Number(text);
}

function readText(name: string, text: string | undefined, what: string): string | null {
  if (text === '') throw new InvalidParameter(`${name} must be ${what}, got ""`);
  return text ?? null;
}

function readInstant(name: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  const instant = normalizeTimestamp(text);
  if (!instant) throw new InvalidParameter(`${name} must be an ISO 8601 instant with a time zone, e.g. 2026-03-01T10:00:00Z, got "${text}"`);
  return instant;
}

const isChannel = (text: string): text is ChangeChannel => (CHANGE_CHANNELS as readonly string[]).includes(text);

function readChannel(text: string | undefined): ChangeChannel | null {
  if (text === undefined) return null;
  if (!isChannel(text)) throw new InvalidParameter(`channel must be one of ${CHANGE_CHANNELS.join(', ')}, got "${text}"`);
  return text;
}

function readCallId(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (!UUID.test(text)) throw new InvalidParameter(`call_id must be a call UUID, got "${text}"`);
  return text.toLowerCase();
}

/** The known parameters read by `read`; a parameter given twice or a bad value is the description of a 400. */
function readParams<T>(search: string, known: readonly string[], read: (given: ReadonlyMap<string, string>) => T): Read<T> {
  const found = readKnownParams(search, known);
  if (!found.ok) return found;
  try {
    return { ok: true, params: read(found.given) };
  } catch (error) {
    if (error instanceof InvalidParameter) return { ok: false, description: error.message };
    throw error;
  }
}

const FIELD_WHAT = 'a custom field id or name';

/** `limit` (1 to 1000, default 20), `before` (a sequence) and `field` (id or name) of a call's history. */
export const readHistoryParams = (search: string): Read<HistoryParams> =>
  readParams(search, ['limit', 'before', 'field'], (given) => ({
    limit: readLimit(given.get('limit'), HISTORY_DEFAULT_LIMIT),
    before: readSequence('before', given.get('before')),
    field: readText('field', given.get('field'), FIELD_WHAT),
  }));

/** `after` (a sequence, default 0), `limit` (1 to 1000, default 100) and the filters of the change feed. */
export const readChangeFeedParams = (search: string): Read<ChangeFeedParams> =>
  readParams(search, ['after', 'limit', 'call_id', 'field', 'actor', 'channel', 'since', 'until'], (given) => ({
    after: readSequence('after', given.get('after')) ?? 0,
    limit: readLimit(given.get('limit'), CHANGES_DEFAULT_LIMIT),
    callId: readCallId(given.get('call_id')),
    field: readText('field', given.get('field'), FIELD_WHAT),
    actor: readText('actor', given.get('actor'), 'a username, or cli for the operator\'s CLI'),
    channel: readChannel(given.get('channel')),
    since: readInstant('since', given.get('since')),
    until: readInstant('until', given.get('until')),
  }));

/** A query value in next_url: percent-encoded, with `/` and `:` left readable. */
const queryValue = (value: string) => encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':');

function historyPageUrl(callId: string, params: HistoryParams, before: number): string {
  const parts = [`limit=${params.limit}`, `before=${before}`];
  if (params.field !== null) parts.push(`field=${queryValue(params.field)}`);
  return `${historyRoute(callId)}?${parts.join('&')}`;
}

function changeFeedUrl(params: ChangeFeedParams, after: number): string {
  const parts = [`after=${after}`, `limit=${params.limit}`];
  const filters = [['call_id', params.callId], ['field', params.field], ['actor', params.actor], ['channel', params.channel], ['since', params.since], ['until', params.until]] as const;
  for (const [name, value] of filters) if (value !== null) parts.push(`${name}=${queryValue(value)}`);
  return `${CHANGES_ROUTE}?${parts.join('&')}`;
}

/** A field reference from REST's one `field` value: a UUID is a field id, anything else a name. */
const fieldRef = (field: string) => (UUID.test(field) ? { fieldId: field } : { name: field });

type ChannelEnum = RestChange['channel'];
const KIND: Record<RestChange['kind'], ChangeKind> = { SET: 'set', CLEARED: 'cleared', FIELD_DELETED: 'field_deleted', INVALIDATED: 'invalidated' };
const CHANNEL: Record<ChannelEnum, ChangeChannel> = { REST: 'rest', GRAPHQL: 'graphql', IMPORT: 'import', ADMIN: 'admin', BULK: 'bulk' };
const CHANNEL_ENUM: Record<ChangeChannel, ChannelEnum> = { rest: 'REST', graphql: 'GRAPHQL', import: 'IMPORT', admin: 'ADMIN', bulk: 'BULK' };

/** The vendor-style record of a GraphQL one (whose client address is already null for readers who are not admins). */
function toVendorChange(change: RestChange): VendorChange {
  const { actor } = change;
  const record: ChangeRecord = {
    sequence: change.sequence,
    changeSetId: change.changeSet.id,
    callId: change.callId,
    fieldId: change.field.id,
    fieldName: change.field.name,
    kind: KIND[change.kind],
    oldValue: change.oldValue,
    newValue: change.newValue,
    callVersion: change.callVersion,
    actor: actor.cli || actor.id === null ? null : { userId: actor.id, username: actor.username, tokenId: actor.tokenId },
    channel: CHANNEL[change.channel],
    requestId: change.requestId,
    clientAddress: change.clientAddress,
    committedAt: change.at,
  };
  return vendorChange(record);
}

/**
 * The change log in the vendor's style, paged by sequence cursors rather than
 * offsets, so a page never shifts when new changes arrive:
 * `GET /api/v2/calls/{call_id}/custom_fields/history.json`, a call's records
 * newest first, and `GET /api/v2/changes.json`, the tenant's feed oldest
 * first, for syncs.
 */
export function createRestHistoryRoutes(operations: OperationRunner) {
  const callHistory = operations.prepare(CALL_HISTORY);
  const changes = operations.prepare(CHANGES);

  async function history(request: RestRequest, viewer: Viewer, callId: string, url: URL): Promise<RestReply> {
    const read = readHistoryParams(url.search);
    if (!read.ok) return restError(400, 'InvalidParameter', read.description);
    const { params } = read;
    const result = await operations.run(request, viewer, callHistory, {
      id: callId,
      first: params.limit,
      after: params.before === null ? null : sequenceCursor(params.before),
      field: params.field === null ? null : fieldRef(params.field),
    });
    const call = result.data?.call;
    if (result.errors?.length || call === undefined) return queryFailure(result);
    if (call === null) return restError(404, 'NotFound', 'Call not found');
    const records = call.history.nodes.map(toVendorChange);
    const last = records.at(-1);
    const nextUrl = call.history.pageInfo.hasNextPage && last ? historyPageUrl(last.call_id, params, last.sequence) : null;
    return jsonReply(200, { history: records, next_url: nextUrl });
  }

  async function feed(request: RestRequest, viewer: Viewer, url: URL): Promise<RestReply> {
    const read = readChangeFeedParams(url.search);
    if (!read.ok) return restError(400, 'InvalidParameter', read.description);
    const { params } = read;
    const filter: NonNullable<VariablesOf<typeof CHANGES>['filter']> = {};
    if (params.callId !== null) filter.callIds = [params.callId];
    if (params.field !== null) filter.fields = [fieldRef(params.field)];
    if (params.actor !== null) filter.actors = [params.actor];
    if (params.channel !== null) filter.channels = [CHANNEL_ENUM[params.channel]];
    if (params.since !== null) filter.since = params.since;
    if (params.until !== null) filter.until = params.until;
    const result = await operations.run(request, viewer, changes, { after: sequenceCursor(params.after), first: params.limit, filter });
    const page = result.data?.changes;
    if (result.errors?.length || !page) return queryFailure(result);
    const records = page.nodes.map(toVendorChange);
    const after = records.at(-1)?.sequence ?? params.after;
    return jsonReply(200, { changes: records, after, next_url: page.pageInfo.hasNextPage ? changeFeedUrl(params, after) : null });
  }

  return { history, feed };
}
