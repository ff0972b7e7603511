import type { Viewer } from './auth.js';
import { JsonNumber } from './json-syntax.js';
import { MAX_BODY_BYTES, parseJson } from './request-body.js';
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
 * list still comes back, each malformed entry as an empty one (which the
 * mutation refuses), so the others can be checked in the same request.
 */
export function readCustomFieldsBody(
  body: unknown,
): { ok: true; entries: RestEntry[] } | { ok: false; details: Record<string, string>; entries: RestEntry[] | null } {
  const list = customFieldsOf(body);
  if (!Array.isArray(list)) {
    return { ok: false, details: { 'call.custom_fields': 'Must be an array of custom field entries' }, entries: null };
  }
  const details: Record<string, string> = {};
  const entries = list.map((item, index): RestEntry => {
    const at = `custom_fields.${index}`;
    if (!isObject(item)) {
      details[at] = 'Must be an object with field_id or name, and value';
      return {};
    }
    const problems = Object.keys(details).length;
    const entry: RestEntry = {};
    for (const [key, attribute] of [['field_id', 'fieldId'], ['name', 'name']] as const) {
      const ref = item[key];
      if (ref === undefined || ref === null || typeof ref === 'string') entry[attribute] = ref ?? null;
      else details[`${at}.${key}`] = `${key} must be a string`;
    }
    if ('value' in item) {
      const value = item.value;
      if (value === null || typeof value === 'string') entry.value = value;
      else if (value instanceof JsonNumber) entry.value = value.text;
      else if (typeof value === 'number' && Number.isFinite(value)) entry.value = JSON.stringify(value);
      else if (typeof value === 'boolean') entry.value = String(value);
      else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) entry.values = value;
      else details[`${at}.value`] = 'Value must be a string, number, boolean, null or a list of strings';
    }
    return Object.keys(details).length > problems ? {} : entry;
  });
  return Object.keys(details).length > 0 ? { ok: false, details, entries } : { ok: true, entries };
}

const entryIndex = (key: string) => Number(/^custom_fields\.(\d+)/.exec(key)?.[1] ?? -1);

/** The body's own problems, and the mutation's for every entry that had none of those, in entry order. */
function mergeByEntry(malformed: Record<string, string>, checked: Record<string, string>): Record<string, string> {
  const malformedEntries = new Set(Object.keys(malformed).map(entryIndex));
  const others = Object.entries(checked).filter(([key]) => !malformedEntries.has(entryIndex(key)));
  return Object.fromEntries([...Object.entries(malformed), ...others].sort(([a], [b]) => entryIndex(a) - entryIndex(b)));
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
    if (!input.ok && !input.entries) return invalidRecord(input.details);
    const malformed = input.ok ? null : input.details;

    // With malformed entries the mutation cannot succeed (each stands as an empty entry it refuses): it only checks the rest.
    const result = await execute(request, viewer, setCustomFields, { callId, customFields: input.entries, expectedVersion: expectedVersion ?? null });
    const outcome = (result.data as { setCallCustomFields?: Record<string, unknown> } | undefined)?.setCallCustomFields;
    if (result.errors?.length || !outcome) return failedOperation(result);
    if (malformed && outcome.__typename !== 'InvalidRecordError') return invalidRecord(malformed);
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
        return invalidRecord(malformed ? mergeByEntry(malformed, details) : details);
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
