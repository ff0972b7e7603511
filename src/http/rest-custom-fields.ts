import { CUSTOM_FIELD_TYPES, DEFINITION_MESSAGES } from '../core/custom-field.js';
import type { Viewer } from '../core/viewer.js';
import { readJsonRequest } from './request-body.js';
import { createOperationRunner, expectedErrorOf, failedOperation, prepareOperation, type Yoga } from './rest-operation.js';
import { jsonReply, restError, unexpected, type RestReply, type RestRequest } from './rest-response.js';

export const CUSTOM_FIELDS_ROUTE = '/api/v2/custom_fields.json';
export const CUSTOM_FIELD_ROUTE = /^\/api\/v2\/custom_fields\/([^/]+)\.json$/;

/** The GraphQL operations behind the custom field routes, parsed and validated once at start-up. */
const FIELD = /* GraphQL */ `
  fragment RestCustomField on CustomField { id name description type maxLength options editable enabled }`;
const OUTCOME = /* GraphQL */ `
  fragment RestFieldFailure on Error {
    message
    ... on InvalidRecordError { details { path message } }
    ... on ConflictError { reason affectedValues }
  }`;

const LIST_CUSTOM_FIELDS = `query RestListCustomFields { customFields(includeDisabled: true) { ...RestCustomField } } ${FIELD}`;
const GET_CUSTOM_FIELD = `query RestGetCustomField($id: ID!) { customField(id: $id) { ...RestCustomField } } ${FIELD}`;
const CREATE_CUSTOM_FIELD = `
  mutation RestCreateCustomField($input: CreateCustomFieldInput!) {
    createCustomField(input: $input) {
      __typename
      ... on CreateCustomFieldSuccess { customField { ...RestCustomField } }
      ...RestFieldFailure
    }
  } ${FIELD} ${OUTCOME}`;
const UPDATE_CUSTOM_FIELD = `
  mutation RestUpdateCustomField($id: ID!, $input: UpdateCustomFieldInput!, $force: Boolean!) {
    updateCustomField(id: $id, input: $input, force: $force) {
      __typename
      ... on UpdateCustomFieldSuccess { invalidatedValues customField { ...RestCustomField } }
      ...RestFieldFailure
    }
  } ${FIELD} ${OUTCOME}`;
const DELETE_CUSTOM_FIELD = `
  mutation RestDeleteCustomField($id: ID!, $force: Boolean!) {
    deleteCustomField(id: $id, force: $force) {
      __typename
      ... on DeleteCustomFieldSuccess { deletedValues customField { ...RestCustomField } }
      ...RestFieldFailure
    }
  } ${FIELD} ${OUTCOME}`;

interface GraphQLCustomField {
  id: string;
  name: string;
  description: string | null;
  type: string;
  maxLength: number | null;
  options: string[] | null;
  editable: boolean;
  enabled: boolean;
}

/** The vendor's custom field definition, keys in the vendor's order. */
export function toRestCustomField(field: GraphQLCustomField) {
  return {
    field_id: field.id,
    name: field.name,
    description: field.description,
    type: field.type.toLowerCase(),
    str_max_len: field.maxLength,
    options: field.options,
    editable: field.editable,
    enable: field.enabled,
  };
}

/** The vendor's attribute names and the mutation input's. */
const ATTRIBUTES = {
  field_id: 'id',
  name: 'name',
  description: 'description',
  enable: 'enabled',
  type: 'type',
  str_max_len: 'maxLength',
  editable: 'editable',
  options: 'options',
} as const;
type RestAttribute = keyof typeof ATTRIBUTES;
const REST_NAME = Object.fromEntries(Object.entries(ATTRIBUTES).map(([rest, graphql]) => [graphql, rest])) as Record<string, RestAttribute>;

/** "input.maxLength" -> "str_max_len": details keys are the vendor's attribute names. */
export function toRestFieldPath(path: string): string {
  const attribute = path.replace(/^input\./, '');
  const [head, ...rest] = attribute.split('.');
  return [REST_NAME[head!] ?? head, ...rest].join('.');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_INT = 2 ** 31 - 1;

type FieldBody = { ok: true; input: Record<string, unknown> } | { ok: false; details: Record<string, string> };

/**
 * Reads `{"custom_field": {...}}` in the vendor's attribute names into
 * mutation input, checking only what GraphQL could not take (JSON types,
 * unknown attributes, a type name); the mutation checks the rest. For an
 * update, an attribute left out keeps its value, and a `field_id` must be the
 * one in the URL.
 */
export function readCustomFieldBody(body: unknown, mode: { create: true } | { create: false; fieldId: string }): FieldBody {
  const field = isObject(body) ? body.custom_field : undefined;
  if (!isObject(field)) return { ok: false, details: { custom_field: 'Must be an object with the custom field\'s attributes' } };
  const details: Record<string, string> = {};
  const input: Record<string, unknown> = {};
  const M = DEFINITION_MESSAGES;

  for (const [key, value] of Object.entries(field)) {
    if (!(key in ATTRIBUTES)) {
      details[key] = `Unknown attribute; expected one of ${Object.keys(ATTRIBUTES).join(', ')}`;
      continue;
    }
    const attribute = key as RestAttribute;
    const to = ATTRIBUTES[attribute];
    switch (attribute) {
      case 'field_id':
        if (mode.create) {
          if (value === null || typeof value === 'string') input.id = value;
          else details.field_id = 'Id must be a UUID';
        } else if (typeof value !== 'string' || value.toLowerCase() !== mode.fieldId.toLowerCase()) {
          details.field_id = 'Does not match the field_id in the URL';
        }
        break;
      case 'name':
        if (value === null || typeof value === 'string') input.name = value;
        else details.name = 'Name must be a string';
        break;
      case 'description':
        if (value === null || typeof value === 'string') input.description = value;
        else details.description = 'Description must be a string or null';
        break;
      case 'enable':
      case 'editable':
        if (value === null || typeof value === 'boolean') input[to] = value;
        else details[attribute] = M.flag(attribute === 'enable' ? 'Enabled' : 'Editable');
        break;
      case 'type':
        if (value === null) input.type = null;
        else if (typeof value === 'string' && (CUSTOM_FIELD_TYPES as readonly string[]).includes(value)) input.type = value.toUpperCase();
        else details.type = `Type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}`;
        break;
      case 'str_max_len':
        if (value === null) input.maxLength = null;
        else if (typeof value !== 'number' || !Number.isInteger(value) || value < -MAX_INT) details.str_max_len = M.maxLengthPositive;
        else if (value > MAX_INT) details.str_max_len = M.maxLengthTooLarge;
        else input.maxLength = value;
        break;
      case 'options':
        if (value === null || (Array.isArray(value) && value.every((o) => typeof o === 'string'))) input.options = value;
        else details.options = 'Options must be a list of strings';
        break;
    }
  }
  if (mode.create) {
    if (input.name == null && !details.name) details.name = M.nameRequired;
    if (input.type == null && !details.type) details.type = M.typeRequired;
    for (const flag of ['enabled', 'editable'] as const) if (input[flag] === null) delete input[flag];
  }
  return Object.keys(details).length > 0 ? { ok: false, details } : { ok: true, input };
}

/** `?force=true` (or 1); absent means false. */
function readForce(url: URL): boolean | null {
  const force = url.searchParams.get('force');
  if (force === null || force === 'false' || force === '0') return false;
  if (force === 'true' || force === '1') return true;
  return null;
}

const invalidRecord = (details: Record<string, string>) =>
  jsonReply(400, { error: 'InvalidRecord', description: 'Record Validation errors', details });

const invalidForce = () => invalidRecord({ force: 'Must be true or false' });

type Outcome = Record<string, any>;

/**
 * The REST custom field resources: GET/POST `/api/v2/custom_fields.json`
 * (the list has every field of the API user's tenant by name, disabled ones
 * with `"enable": false`) and GET/PUT/DELETE
 * `/api/v2/custom_fields/{field_id}.json`, each a fixed GraphQL operation run
 * through the yoga pipeline for the viewer the router authenticated, its
 * `__typename` mapped to a status.
 */
export function createRestCustomFieldRoutes(yoga: Yoga) {
  const documents = {
    list: prepareOperation(LIST_CUSTOM_FIELDS, yoga),
    get: prepareOperation(GET_CUSTOM_FIELD, yoga),
    create: prepareOperation(CREATE_CUSTOM_FIELD, yoga),
    update: prepareOperation(UPDATE_CUSTOM_FIELD, yoga),
    delete: prepareOperation(DELETE_CUSTOM_FIELD, yoga),
  };
  const { execute } = createOperationRunner(yoga);

  /** Runs one document: the reply for a failure, or the (only) root field's value, null included. */
  async function run(
    request: RestRequest,
    viewer: Viewer,
    document: keyof typeof documents,
    variables: Record<string, unknown>,
  ): Promise<{ reply: RestReply } | { data: Outcome | null }> {
    const result = await execute(request, viewer, documents[document], variables);
    const data = result.data ? Object.values(result.data)[0] : undefined;
    if (result.errors?.length || data === undefined) {
      const expected = expectedErrorOf(result);
      return { reply: expected?.code === 'FORBIDDEN' ? restError(403, 'Forbidden', expected.message) : failedOperation(result) };
    }
    return { data: data as Outcome | null };
  }

  /** Maps a mutation's result union member to the vendor's answer. */
  function respond(outcome: Outcome | null, success: (outcome: Outcome) => RestReply): RestReply {
    switch (outcome?.__typename) {
      case 'CreateCustomFieldSuccess':
      case 'UpdateCustomFieldSuccess':
      case 'DeleteCustomFieldSuccess':
        return success(outcome!);
      case 'InvalidRecordError': {
        const details: Record<string, string> = {};
        for (const { path, message } of outcome!.details as { path: string; message: string }[]) details[toRestFieldPath(path)] ??= message;
        return invalidRecord(details);
      }
      case 'ForbiddenError':
        return restError(403, 'Forbidden', outcome!.message);
      case 'NotFoundError':
        return restError(404, 'NotFound', outcome!.message);
      case 'ConflictError':
        return jsonReply(409, {
          error: 'Conflict',
          description: outcome!.message,
          ...(outcome!.reason === 'STORED_VALUES' && { affected_values: outcome!.affectedValues }),
        });
      default:
        return unexpected();
    }
  }

  async function list(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const outcome = await run(request, viewer, 'list', {});
    if ('reply' in outcome) return outcome.reply;
    if (!Array.isArray(outcome.data)) return unexpected();
    return jsonReply(200, { custom_fields: (outcome.data as GraphQLCustomField[]).map(toRestCustomField) });
  }

  async function get(request: RestRequest, viewer: Viewer, fieldId: string): Promise<RestReply> {
    const outcome = await run(request, viewer, 'get', { id: fieldId });
    if ('reply' in outcome) return outcome.reply;
    return outcome.data === null
      ? restError(404, 'NotFound', 'Custom field not found')
      : jsonReply(200, { custom_field: toRestCustomField(outcome.data as GraphQLCustomField) });
  }

  async function create(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const json = await readJsonRequest(request);
    if (!json.ok) return json.reply;
    const body = readCustomFieldBody(json.value, { create: true });
    if (!body.ok) return invalidRecord(body.details);
    const outcome = await run(request, viewer, 'create', { input: body.input });
    if ('reply' in outcome) return outcome.reply;
    return respond(outcome.data, ({ customField }) =>
      jsonReply(201, { custom_field: toRestCustomField(customField) }, { location: `/api/v2/custom_fields/${customField.id}.json` }),
    );
  }

  async function update(request: RestRequest, viewer: Viewer, url: URL, fieldId: string): Promise<RestReply> {
    const force = readForce(url);
    if (force === null) return invalidForce();
    const json = await readJsonRequest(request);
    if (!json.ok) return json.reply;
    const body = readCustomFieldBody(json.value, { create: false, fieldId });
    if (!body.ok) return invalidRecord(body.details);
    const outcome = await run(request, viewer, 'update', { id: fieldId, input: body.input, force });
    if ('reply' in outcome) return outcome.reply;
    return respond(outcome.data, ({ customField, invalidatedValues }) =>
      jsonReply(200, { custom_field: toRestCustomField(customField), invalidated_values: invalidatedValues }),
    );
  }

  async function remove(request: RestRequest, viewer: Viewer, url: URL, fieldId: string): Promise<RestReply> {
    const force = readForce(url);
    if (force === null) return invalidForce();
    const outcome = await run(request, viewer, 'delete', { id: fieldId, force });
    if ('reply' in outcome) return outcome.reply;
    return respond(outcome.data, ({ customField, deletedValues }) =>
      jsonReply(200, { custom_field: toRestCustomField(customField), deleted_values: deletedValues }),
    );
  }

  return { list, get, create, update, remove };
}
