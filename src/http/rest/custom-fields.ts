import type { ExecutionResult } from 'graphql';
import { CUSTOM_FIELD_TYPES, DEFINITION_MESSAGES } from '../../core/custom-field.js';
import type { Viewer } from '../../core/viewer.js';
import { invalidRecord, jsonReply, restError, type RestReply } from '../reply.js';
import { readJsonRequest, type RestRequest } from '../request-body.js';
import {
  CREATE_CUSTOM_FIELD,
  DELETE_CUSTOM_FIELD,
  GET_CUSTOM_FIELD,
  LIST_CUSTOM_FIELDS,
  UPDATE_CUSTOM_FIELD,
  type RestCustomField,
  type VariablesOf,
} from './documents.js';
import { expectedErrorOf, failedOperation, type OperationRunner } from './operation.js';
import { failureReply } from './outcomes.js';

/** The vendor's custom field definition, keys in the vendor's order. */
export function toRestCustomField(field: RestCustomField) {
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

/** The mutation input a body reads as: every attribute optional (creation checks name and type are there). */
type FieldInput = VariablesOf<typeof UPDATE_CUSTOM_FIELD>['input'] & { id?: string | null };

type FieldBody = { ok: true; input: FieldInput } | { ok: false; details: Record<string, string> };

const TYPE_NAME = { text: 'TEXT', option: 'OPTION', number: 'NUMBER', date: 'DATE', multiselect: 'MULTISELECT', boolean: 'BOOLEAN' } as const;
const isTypeName = (value: unknown): value is keyof typeof TYPE_NAME => typeof value === 'string' && Object.hasOwn(TYPE_NAME, value);

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
  const input: FieldInput = {};
  const M = DEFINITION_MESSAGES;

  for (const [key, value] of Object.entries(field)) {
    if (!(key in ATTRIBUTES)) {
      details[key] = `Unknown attribute; expected one of ${Object.keys(ATTRIBUTES).join(', ')}`;
      continue;
    }
    const attribute = key as RestAttribute;
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
        if (value === null || typeof value === 'boolean') input[attribute === 'enable' ? 'enabled' : 'editable'] = value;
        else details[attribute] = M.flag(attribute === 'enable' ? 'Enabled' : 'Editable');
        break;
      case 'type':
        if (value === null) input.type = null;
        else if (isTypeName(value)) input.type = TYPE_NAME[value];
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

const invalidForce = () => invalidRecord({ force: 'Must be true or false' });

/** 403 for a missing permission (a query's FORBIDDEN error), 503 or 500 for anything else. */
function failure(result: ExecutionResult): RestReply {
  const expected = expectedErrorOf(result);
  return expected?.code === 'FORBIDDEN' ? restError(403, 'Forbidden', expected.message) : failedOperation(result);
}

/**
 * The REST custom field resources: GET/POST `/api/v2/custom_fields.json`
 * (the list has every field of the API user's tenant by name, disabled ones
 * with `"enable": false`) and GET/PUT/DELETE
 * `/api/v2/custom_fields/{field_id}.json`, each a fixed GraphQL operation run
 * through the yoga pipeline for the viewer the router authenticated.
 */
export function createRestCustomFieldRoutes(operations: OperationRunner) {
  const documents = {
    list: operations.prepare(LIST_CUSTOM_FIELDS),
    get: operations.prepare(GET_CUSTOM_FIELD),
    create: operations.prepare(CREATE_CUSTOM_FIELD),
    update: operations.prepare(UPDATE_CUSTOM_FIELD),
    delete: operations.prepare(DELETE_CUSTOM_FIELD),
  };

  async function list(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.list, {});
    const fields = result.data?.customFields;
    if (result.errors?.length || !fields) return failure(result);
    return jsonReply(200, { custom_fields: fields.map(toRestCustomField) });
  }

  async function get(request: RestRequest, viewer: Viewer, fieldId: string): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.get, { id: fieldId });
    const field = result.data?.customField;
    if (result.errors?.length || field === undefined) return failure(result);
    return field === null ? restError(404, 'NotFound', 'Custom field not found') : jsonReply(200, { custom_field: toRestCustomField(field) });
  }

  async function create(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const json = await readJsonRequest(request);
    if (!json.ok) return json.reply;
    const body = readCustomFieldBody(json.value, { create: true });
    if (!body.ok) return invalidRecord(body.details);
    const { name, type } = body.input;
    // readCustomFieldBody refuses a creation without them
    if (name == null || type == null) return invalidRecord({});
    const result = await operations.run(request, viewer, documents.create, { input: { ...body.input, name, type } });
    const outcome = result.data?.createCustomField;
    if (result.errors?.length || !outcome) return failure(result);
    if (outcome.__typename !== 'CreateCustomFieldSuccess') return failureReply(outcome, toRestFieldPath);
    const { customField } = outcome;
    return jsonReply(201, { custom_field: toRestCustomField(customField) }, { location: `/api/v2/custom_fields/${customField.id}.json` });
  }

  async function update(request: RestRequest, viewer: Viewer, url: URL, fieldId: string): Promise<RestReply> {
    const force = readForce(url);
    if (force === null) return invalidForce();
    const json = await readJsonRequest(request);
    if (!json.ok) return json.reply;
    const body = readCustomFieldBody(json.value, { create: false, fieldId });
    if (!body.ok) return invalidRecord(body.details);
    const result = await operations.run(request, viewer, documents.update, { id: fieldId, input: body.input, force });
    const outcome = result.data?.updateCustomField;
    if (result.errors?.length || !outcome) return failure(result);
    if (outcome.__typename !== 'UpdateCustomFieldSuccess') return failureReply(outcome, toRestFieldPath);
    return jsonReply(200, { custom_field: toRestCustomField(outcome.customField), invalidated_values: outcome.invalidatedValues });
  }

  async function remove(request: RestRequest, viewer: Viewer, url: URL, fieldId: string): Promise<RestReply> {
    const force = readForce(url);
    if (force === null) return invalidForce();
    const result = await operations.run(request, viewer, documents.delete, { id: fieldId, force });
    const outcome = result.data?.deleteCustomField;
    if (result.errors?.length || !outcome) return failure(result);
    if (outcome.__typename !== 'DeleteCustomFieldSuccess') return failureReply(outcome, toRestFieldPath);
    return jsonReply(200, { custom_field: toRestCustomField(outcome.customField), deleted_values: outcome.deletedValues });
  }

  return { list, get, create, update, remove };
}
