import { MAX_ENTRIES, MESSAGES } from '../core/change-set.js';
import type { Viewer } from '../core/viewer.js';
import { JsonNumber, parseJson } from '../core/json-text.js';
import { MAX_BODY_BYTES } from './request-body.js';
import { createOperationRunner, failedOperation, prepareOperation, type Yoga } from './rest-operation.js';
import { jsonReply, restError, unexpected, type RestReply, type RestRequest } from './rest-response.js';

/** The GraphQL operations behind the REST routes, parsed and validated once at start-up. */
export const CALL_FIELDS = /* GraphQL */ `
  fragment RestCall on Call {
    id setupTime fromNumber toNumber direction duration
    customFields { fieldId name value values }
  }`;

const GET_CALL = `query RestGetCall($id: ID!) { call(id: $id) { version ...RestCall } } ${CALL_FIELDS}`;

const SET_CUSTOM_FIELDS = `
  mutation RestSetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: Int) {
    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { version ...RestCall } }
      ... on Error { message }
      ... on InvalidRecordError { details { path message } }
    }
  } ${CALL_FIELDS}`;

export interface GraphQLCall {
  id: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: string;
  duration: number;
  customFields: { fieldId: string; name: string; value: string; values: string[] | null }[];
}

/** The vendor's call object, keys in the vendor's order; a multiselect value is a JSON array. */
export function toRestCallObject(call: GraphQLCall) {
  return {
    call_id: call.id,
    setup_time: call.setupTime,
    from_number: call.fromNumber,
    to_number: call.toNumber,
    direction: call.direction.toLowerCase(),
    duration: call.duration,
    custom_fields: call.customFields.map((f) => ({ field_id: f.fieldId, name: f.name, value: f.values ?? f.value })),
  };
}

const toRestCall = (call: GraphQLCall) => ({ call: toRestCallObject(call) });

/** "customFields.2.fieldId" -> "custom_fields.2.field_id"; REST has only `value`, so "….values" -> "….value". */
export function toRestPath(path: string): string {
  return path.replace(/^customFields\b/, 'custom_fields').replace(/\.fieldId$/, '.field_id').replace(/\.values$/, '.value');
}

const invalidRecord = (details: Record<string, string>) =>
  jsonReply(400, { error: 'InvalidRecord', description: 'Record Validation errors', details });

interface RestEntry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
  values?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

/** The vendor body's `call.custom_fields`, whatever it holds; undefined when the path is missing. */
const customFieldsOf = (body: unknown): unknown =>
  isObject(body) && isObject(body.call) ? body.call.custom_fields : undefined;

/**
 * Reads the vendor body `{"call": {"custom_fields": [...]}}` into mutation
 * input (parsed with raw numbers). Numbers and booleans become their JSON
 * text as sent; a list of strings is a multiselect selection (`values`); an
 * object, or a list of anything else, is an error. An absent `value` stays
 * absent, so the mutation refuses it. When some entries are malformed, the
 * list still comes back, null in their places, so the others can be checked
 * in the same request. A list longer than MAX_ENTRIES is refused as a whole.
 */
export function readCustomFieldsBody(
  body: unknown,
): { ok: true; entries: RestEntry[] } | { ok: false; details: Record<string, string>; entries: (RestEntry | null)[] | null } {
  const list = customFieldsOf(body);
  if (!Array.isArray(list)) {
    return { ok: false, details: { 'call.custom_fields': 'Must be an array of custom field entries' }, entries: null };
  }
  if (list.length > MAX_ENTRIES) return { ok: false, details: { 'call.custom_fields': MESSAGES.tooManyEntries }, entries: null };
  const details: Record<string, string> = {};
  let problems = 0;
  const refuse = (key: string, message: string) => {
    details[key] = message;
    problems += 1;
  };
  const entries = list.map((item, index): RestEntry | null => {
    const at = `custom_fields.${index}`;
    if (!isObject(item)) {
      refuse(at, 'Must be an object with field_id or name, and value');
      return null;
    }
    const problemsBefore = problems;
    const entry: RestEntry = {};
    for (const [key, attribute] of [['field_id', 'fieldId'], ['name', 'name']] as const) {
      const ref = item[key];
      if (ref === undefined || ref === null || typeof ref === 'string') entry[attribute] = ref ?? null;
      else refuse(`${at}.${key}`, `${key} must be a string`);
    }
    if ('value' in item) {
      const value = item.value;
      if (value === null || typeof value === 'string') entry.value = value;
      else if (value instanceof JsonNumber) entry.value = value.text;
      else if (typeof value === 'number' && Number.isFinite(value)) entry.value = JSON.stringify(value);
      else if (typeof value === 'boolean') entry.value = String(value);
      else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) entry.values = value;
      else refuse(`${at}.value`, 'Value must be a string, number, boolean, null or a list of strings');
    }
    return problems > problemsBefore ? null : entry;
  });
  return problems > 0 ? { ok: false, details, entries } : { ok: true, entries: entries as RestEntry[] };
}

/** The well-formed entries of a body that also has malformed ones, and where each stands in the body. */
function wellFormed(entries: readonly (RestEntry | null)[]): { entries: RestEntry[]; positions: number[] } {
  const kept: RestEntry[] = [];
  const positions: number[] = [];
  entries.forEach((entry, index) => {
    if (!entry) return;
    kept.push(entry);
    positions.push(index);
  });
  return { entries: kept, positions };
}

const ENTRY_KEY = /^custom_fields\.(\d+)/;
const entryIndex = (key: string) => Number(ENTRY_KEY.exec(key)?.[1] ?? -1);

/**
 * The body's own problems, and the mutation's for the well-formed entries
 * (the n-th checked entry renumbered to where it stands in the body; the
 * closing empty entry's dropped), in entry order.
 */
function mergeByEntry(malformed: Record<string, string>, checked: Record<string, string>, positions: readonly number[]): Record<string, string> {
  const renumbered = Object.entries(checked).flatMap(([key, message]): [string, string][] => {
    const index = entryIndex(key);
    if (index < 0) return [[key, message]];
    const at = positions[index];
    return at === undefined ? [] : [[key.replace(ENTRY_KEY, `custom_fields.${at}`), message]];
  });
  return Object.fromEntries([...Object.entries(malformed), ...renumbered].sort(([a], [b]) => entryIndex(a) - entryIndex(b)));
}

function hasNumberValue(body: unknown): boolean {
  const list = customFieldsOf(body);
  return Array.isArray(list) && list.some((entry) => isObject(entry) && typeof entry.value === 'number');
}

/** The call's version as an entity tag: GET returns it, PUT honours it in If-Match. */
const etag = (version: number) => ({ etag: `"${version}"` });

/** If-Match as an expected version: undefined for none or `*`, null when it is not one entity tag. */
export function readIfMatch(header: string | null): number | undefined | null {
  if (header === null || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  return match ? Number(match[1]) : null;
}

export const CALL_ROUTE = /^\/api\/v2\/calls\/([^/]+)\.json$/;

/**
 * The REST shim for one call: GET and PUT `/api/v2/calls/{call_id}.json`.
 * Each request runs a fixed GraphQL document through the yoga instance's
 * envelop pipeline (context and auth, masking, execution), never through
 * yoga's HTTP adapter, and maps the result's `__typename` to a status.
 */
export function createRestCallRoutes(yoga: Yoga) {
  const getCall = prepareOperation(GET_CALL, yoga, { compile: true });
  const setCustomFields = prepareOperation(SET_CUSTOM_FIELDS, yoga, { compile: true });
  const { execute } = createOperationRunner(yoga);

  async function get(request: RestRequest, viewer: Viewer, callId: string): Promise<RestReply> {
    const result = await execute(request, viewer, getCall, { id: callId });
    const call = (result.data as { call: GraphQLCall | null } | undefined)?.call;
    if (result.errors?.length || call === undefined) return failedOperation(result);
    return call ? jsonReply(200, toRestCall(call), etag((call as GraphQLCall & { version: number }).version)) : restError(404, 'NotFound', 'Call not found');
  }

  async function put(request: RestRequest, viewer: Viewer, callId: string): Promise<RestReply> {
    const contentType = request.headers.get('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      return restError(415, 'UnsupportedMediaType', 'Content-Type must be application/json');
    }
    const expectedVersion = readIfMatch(request.headers.get('if-match'));
    if (expectedVersion === null) {
      return restError(400, 'InvalidHeader', 'If-Match must be one entity tag, as the ETag of GET (e.g. "3"), or *');
    }
    const body = await request.readBody(MAX_BODY_BYTES);
    if (!body.ok) return restError(413, 'PayloadTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`);
    let json: { ok: true; value: unknown } | { ok: false; description: string } = parseJson(body.text);
    if (!json.ok) return restError(400, 'InvalidJSON', json.description);
    // Rare: a number value is re-read as the digits sent, which JSON.parse would round.
    if (hasNumberValue(json.value)) {
      const exact = parseJson(body.text, { rawNumbers: true });
      // The exact parser refuses absurd nesting that JSON.parse took: keep JSON.parse's reading then.
      if (exact.ok) json = exact;
    }
    const input = readCustomFieldsBody(json.value);
    let customFields = input.entries;
    let malformed: { details: Record<string, string>; positions: number[] } | null = null;
    if (!input.ok) {
      if (!input.entries) return invalidRecord(input.details);
      // The mutation checks the well-formed entries, followed by one empty entry it always refuses: nothing is written.
      const kept = wellFormed(input.entries);
      customFields = [...kept.entries, {}];
      malformed = { details: input.details, positions: kept.positions };
    }

    const result = await execute(request, viewer, setCustomFields, { callId, customFields, expectedVersion: expectedVersion ?? null });
    const outcome = (result.data as { setCallCustomFields?: Record<string, unknown> } | undefined)?.setCallCustomFields;
    if (result.errors?.length || !outcome) return failedOperation(result);
    if (malformed && outcome.__typename !== 'InvalidRecordError') return invalidRecord(malformed.details);
    switch (outcome.__typename) {
      case 'SetCallCustomFieldsSuccess': {
        const call = outcome.call as GraphQLCall & { version: number };
        return jsonReply(200, toRestCall(call), etag(call.version));
      }
      case 'ConflictError':
        return restError(412, 'PreconditionFailed', outcome.message as string);
      case 'InvalidRecordError': {
        const details: Record<string, string> = {};
        for (const { path, message } of outcome.details as { path: string; message: string }[]) {
          details[toRestPath(path)] ??= message;
        }
        return invalidRecord(malformed ? mergeByEntry(malformed.details, details, malformed.positions) : details);
      }
      case 'ForbiddenError':
        return restError(403, 'Forbidden', outcome.message as string);
      case 'NotFoundError':
        return restError(404, 'NotFound', outcome.message as string);
      default:
        return unexpected();
    }
  }

  return { get, put };
}
