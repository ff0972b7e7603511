import { createOperationRunner, expectedErrorOf, failedOperation, prepareOperation, type Yoga } from './rest-operation.js';
import type { Viewer } from './auth.js';
import { jsonReply, restError, unexpected, type RestReply, type RestRequest } from './rest-response.js';

export const CUSTOM_FIELDS_ROUTE = '/api/v2/custom_fields.json';

const LIST_CUSTOM_FIELDS = `
  query RestListCustomFields {
    customFields(includeDisabled: true) { id name type maxLength options editable enabled }
  }`;

interface GraphQLCustomField {
  id: string;
  name: string;
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
    type: field.type.toLowerCase(),
    str_max_len: field.maxLength,
    options: field.options,
    editable: field.editable,
    enable: field.enabled,
  };
}

/**
 * The REST shim for custom field definitions: `GET /api/v2/custom_fields.json`
 * lists every field of the API user's tenant, disabled ones included (with
 * `"enable": false`), by name.
 */
export function createRestCustomFieldRoutes(yoga: Yoga) {
  const listCustomFields = prepareOperation(LIST_CUSTOM_FIELDS, yoga);
  const { execute } = createOperationRunner(yoga);

  async function list(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const result = await execute(request, viewer, listCustomFields, {});
    const fields = (result.data as { customFields: GraphQLCustomField[] } | null | undefined)?.customFields;
    if (result.errors?.length || !fields) {
      const expected = expectedErrorOf(result);
      return expected?.code === 'FORBIDDEN' ? restError(403, 'Forbidden', expected.message) : failedOperation(result);
    }
    return jsonReply(200, { custom_fields: fields.map(toRestCustomField) });
  }

  return { list };
}
