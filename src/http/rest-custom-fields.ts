import type { YogaServerInstance } from 'graphql-yoga';
import { CUSTOM_FIELD_TYPES, DEFINITION_MESSAGES } from '../core/custom-field.js';
import { readJsonRequest } from './request-body.js';
import { createOperationRunner, prepareDocument } from './rest-operation.js';
import { jsonResponse, restError, unexpected } from './rest-response.js';

/** The GraphQL operations behind the custom field routes, parsed and validated once at start-up. */
const FIELD = /* GraphQL */ `
  fragment RestCustomField on CustomField { id name description enabled type maxLength editable options }`;
const OUTCOME = /* GraphQL */ `
  fragment RestFieldFailure on Error {
    message
    ... on InvalidRecordError { details { path message } }
    ... on ConflictError { reason affectedValues }
  }`;

const LIST = `query RestListCustomFields { customFields(includeDisabled: true) { ...RestCustomField } } ${FIELD}`;
const GET = `query RestGetCustomField($id: ID!) { customField(id: $id) { ...RestCustomField } } ${FIELD}`;
const CREATE = `
  mutation RestCreateCustomField($input: CreateCustomFieldInput!) {
    createCustomField(input: $input) {
      __typename
      ... on CreateCustomFieldSuccess { customField { ...RestCustomField } }
      ...RestFieldFailure
    }
  } ${FIELD} ${OUTCOME}`;
const UPDATE = `
  mutation RestUpdateCustomField($id: ID!, $input: UpdateCustomFieldInput!, $force: Boolean!) {
    updateCustomField(id: $id, input: $input, force: $force) {
      __typename
      ... on UpdateCustomFieldSuccess { invalidatedValues customField { ...RestCustomField } }
      ...RestFieldFailure
    }
  } ${FIELD} ${OUTCOME}`;
const DELETE = `
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
  enabled: boolean;
  type: string;
  maxLength: number | null;
  editable: boolean;
  options: string[] | null;
}

/** The vendor's custom field object, keys in the vendor's order. */
function toRestField(field: GraphQLCustomField) {
  return {
    field_id: field.id,
    name: field.name,
    description: field.description,
    enable: field.enabled,
    type: field.type.toLowerCase(),
    str_max_len: field.maxLength,
    editable: field.editable,
    options: field.options,
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
  jsonResponse(400, { error: 'InvalidRecord', description: 'Record Validation errors', details });

const invalidForce = () => invalidRecord({ force: 'Must be true or false' });

export const CUSTOM_FIELDS_ROUTE = /^\/api\/v2\/custom_fields\.json$/;
export const CUSTOM_FIELD_ROUTE = /^\/api\/v2\/custom_fields\/([^/]+)\.json$/;

/**
 * The REST custom field resources: GET/POST `/api/v2/custom_fields.json` and
 * GET/PUT/DELETE `/api/v2/custom_fields/{field_id}.json`, each a fixed GraphQL
 * operation run through the yoga pipeline, its `__typename` mapped to a status.
 */
export function createRestCustomFieldRoutes(yoga: YogaServerInstance<object, object>) {
  const documents = {
    list: prepareDocument(LIST, yoga),
    get: prepareDocument(GET, yoga),
    create: prepareDocument(CREATE, yoga),
    update: prepareDocument(UPDATE, yoga),
    delete: prepareDocument(DELETE, yoga),
  };
  const { open, execute } = createOperationRunner(yoga);

  /** Runs one document; the response for a failure, or the field the operation answered with. */
  async function run(request: Request, document: keyof typeof documents, variables: Record<string, unknown>): Promise<Response | Record<string, any>> {
    const session = await open(request);
    if (session instanceof Response) return session;
    const result = await execute(session, documents[document], variables);
    const data = result.data ? Object.values(result.data)[0] : undefined;
    if (result.errors?.length || data === undefined) return unexpected();
    return data === null ? { __typename: null } : (data as Record<string, any>);
  }

  /** Maps a mutation's result union member to the vendor's response. */
  function respond(outcome: Record<string, any>, success: (outcome: Record<string, any>) => Response): Response {
    switch (outcome.__typename) {
      case 'CreateCustomFieldSuccess':
      case 'UpdateCustomFieldSuccess':
      case 'DeleteCustomFieldSuccess':
        return success(outcome);
      case 'InvalidRecordError': {
        const details: Record<string, string> = {};
        for (const { path, message } of outcome.details as { path: string; message: string }[]) details[toRestFieldPath(path)] ??= message;
        return invalidRecord(details);
      }
      case 'ForbiddenError':
        return restError(403, 'Forbidden', outcome.message);
      case 'NotFoundError':
        return restError(404, 'NotFound', outcome.message);
      case 'ConflictError':
        return jsonResponse(409, {
          error: 'Conflict',
          description: outcome.message,
          ...(outcome.reason === 'STORED_VALUES' && { affected_values: outcome.affectedValues }),
        });
      default:
        return unexpected();
    }
  }

  async function list(request: Request): Promise<Response> {
    const session = await open(request);
    if (session instanceof Response) return session;
    const result = await execute(session, documents.list, {});
    const fields = (result.data as { customFields?: GraphQLCustomField[] } | undefined)?.customFields;
    if (result.errors?.length || !fields) return unexpected();
    return jsonResponse(200, { custom_fields: fields.map(toRestField) });
  }

  async function get(request: Request, fieldId: string): Promise<Response> {
    const outcome = await run(request, 'get', { id: fieldId });
    if (outcome instanceof Response) return outcome;
    return outcome.__typename === null ? restError(404, 'NotFound', 'Custom field not found') : jsonResponse(200, { custom_field: toRestField(outcome as GraphQLCustomField) });
  }

  async function create(request: Request, url: URL): Promise<Response> {
    const json = await readJsonRequest(request);
    if (json instanceof Response) return json;
    const body = readCustomFieldBody(json.value, { create: true });
    if (!body.ok) return invalidRecord(body.details);
    const outcome = await run(request, 'create', { input: body.input });
    if (outcome instanceof Response) return outcome;
    return respond(outcome, ({ customField }) =>
      jsonResponse(201, { custom_field: toRestField(customField) }, { location: `${url.origin}/api/v2/custom_fields/${customField.id}.json` }),
    );
  }

  async function update(request: Request, url: URL, fieldId: string): Promise<Response> {
    const force = readForce(url);
    if (force === null) return invalidForce();
    const json = await readJsonRequest(request);
    if (json instanceof Response) return json;
    const body = readCustomFieldBody(json.value, { create: false, fieldId });
    if (!body.ok) return invalidRecord(body.details);
    const outcome = await run(request, 'update', { id: fieldId, input: body.input, force });
    if (outcome instanceof Response) return outcome;
    return respond(outcome, ({ customField, invalidatedValues }) =>
      jsonResponse(200, { custom_field: toRestField(customField), invalidated_values: invalidatedValues }),
    );
  }

  async function remove(request: Request, url: URL, fieldId: string): Promise<Response> {
    const force = readForce(url);
    if (force === null) return invalidForce();
    const outcome = await run(request, 'delete', { id: fieldId, force });
    if (outcome instanceof Response) return outcome;
    return respond(outcome, ({ customField, deletedValues }) =>
      jsonResponse(200, { custom_field: toRestField(customField), deleted_values: deletedValues }),
    );
  }

  return { list, get, create, update, remove };
}
