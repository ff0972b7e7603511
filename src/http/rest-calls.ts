import type { YogaServerInstance } from 'graphql-yoga';
import { readJsonRequest } from './request-body.js';
import { createOperationRunner, prepareDocument } from './rest-operation.js';
import { jsonResponse, restError, unexpected } from './rest-response.js';

/** The GraphQL operations behind the REST routes, parsed and validated once at start-up. */
const CALL_FIELDS = /* GraphQL */ `
  fragment RestCall on Call {
    id setupTime fromNumber toNumber direction duration
    customFields { fieldId name value values }
  }`;

const GET_CALL = `query RestGetCall($id: ID!) { call(id: $id) { ...RestCall } } ${CALL_FIELDS}`;

const SET_CUSTOM_FIELDS = `
  mutation RestSetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
    setCallCustomFields(callId: $callId, customFields: $customFields) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { ...RestCall } }
      ... on Error { message }
      ... on InvalidRecordError { details { path message } }
    }
  } ${CALL_FIELDS}`;

interface GraphQLCall {
  id: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: string;
  duration: number;
  customFields: { fieldId: string; name: string; value: string; values: string[] | null }[];
}

/** The vendor's call object, keys in the vendor's order; a multiselect value is a JSON array. */
function toRestCall(call: GraphQLCall) {
  return {
    call: {
      call_id: call.id,
      setup_time: call.setupTime,
      from_number: call.fromNumber,
      to_number: call.toNumber,
      direction: call.direction.toLowerCase(),
      duration: call.duration,
      custom_fields: call.customFields.map((f) => ({ field_id: f.fieldId, name: f.name, value: f.values ?? f.value })),
    },
  };
}

/** "customFields.2.fieldId" -> "custom_fields.2.field_id"; REST has only `value`, so "….values" -> "….value". */
export function toRestPath(path: string): string {
  return path.replace(/^customFields\b/, 'custom_fields').replace(/\.fieldId$/, '.field_id').replace(/\.values$/, '.value');
}

const invalidRecord = (details: Record<string, string>) =>
  jsonResponse(400, { error: 'InvalidRecord', description: 'Record Validation errors', details });

interface RestEntry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
  values?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the vendor body `{"call": {"custom_fields": [...]}}` into mutation
 * input. Numbers and booleans become their JSON text; a list of strings is a
 * multiselect selection (`values`); an object, or a list of anything else, is
 * an error. An absent `value` stays absent, so the mutation refuses it.
 */
export function readCustomFieldsBody(body: unknown): { ok: true; entries: RestEntry[] } | { ok: false; details: Record<string, string> } {
  const list = isObject(body) && isObject(body.call) ? body.call.custom_fields : undefined;
  if (!Array.isArray(list)) {
    return { ok: false, details: { 'call.custom_fields': 'Must be an array of custom field entries' } };
  }
  const details: Record<string, string> = {};
  const entries = list.map((item, index): RestEntry => {
    const at = `custom_fields.${index}`;
    if (!isObject(item)) {
      details[at] = 'Must be an object with field_id or name, and value';
      return {};
    }
    const entry: RestEntry = {};
    for (const [key, attribute] of [['field_id', 'fieldId'], ['name', 'name']] as const) {
      const ref = item[key];
      if (ref === undefined || ref === null || typeof ref === 'string') entry[attribute] = ref ?? null;
      else details[`${at}.${key}`] = `${key} must be a string`;
    }
    if ('value' in item) {
      const value = item.value;
      if (value === null || typeof value === 'string') entry.value = value;
      else if (typeof value === 'number' || typeof value === 'boolean') entry.value = JSON.stringify(value);
      else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) entry.values = value;
      else details[`${at}.value`] = 'Value must be a string, number, boolean, null or a list of strings';
    }
    return entry;
  });
  return Object.keys(details).length > 0 ? { ok: false, details } : { ok: true, entries };
}

export const CALL_ROUTE = /^\/api\/v2\/calls\/([^/]+)\.json$/;

/**
 * The REST shim for one call: GET and PUT `/api/v2/calls/{call_id}.json`.
 * Each request runs a fixed GraphQL document through the yoga instance's
 * envelop pipeline (context and auth, masking, execution), never through
 * yoga's HTTP adapter, and maps the result's `__typename` to a status.
 */
export function createRestCallRoutes(yoga: YogaServerInstance<object, object>) {
  const getCall = prepareDocument(GET_CALL, yoga);
  const setCustomFields = prepareDocument(SET_CUSTOM_FIELDS, yoga);
  const { open, execute } = createOperationRunner(yoga);

  async function get(request: Request, callId: string): Promise<Response> {
    const session = await open(request);
    if (session instanceof Response) return session;
    const result = await execute(session, getCall, { id: callId });
    const call = (result.data as { call: GraphQLCall | null } | undefined)?.call;
    if (result.errors?.length || call === undefined) return unexpected();
    return call ? jsonResponse(200, toRestCall(call)) : restError(404, 'NotFound', 'Call not found');
  }

  async function put(request: Request, callId: string): Promise<Response> {
    const session = await open(request);
    if (session instanceof Response) return session;
    const json = await readJsonRequest(request);
    if (json instanceof Response) return json;
    const input = readCustomFieldsBody(json.value);
    if (!input.ok) return invalidRecord(input.details);

    const result = await execute(session, setCustomFields, { callId, customFields: input.entries });
    const outcome = (result.data as { setCallCustomFields?: Record<string, unknown> } | undefined)?.setCallCustomFields;
    if (result.errors?.length || !outcome) return unexpected();
    switch (outcome.__typename) {
      case 'SetCallCustomFieldsSuccess':
        return jsonResponse(200, toRestCall(outcome.call as GraphQLCall));
      case 'InvalidRecordError': {
        const details: Record<string, string> = {};
        for (const { path, message } of outcome.details as { path: string; message: string }[]) {
          details[toRestPath(path)] ??= message;
        }
        return invalidRecord(details);
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
