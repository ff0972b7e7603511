import { GraphQLError } from 'graphql';
import { UUID } from '../core/call.js';
import { effectiveMaxLength, type CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';

export const CustomFieldTypeEnum = builder.enumType('CustomFieldType', {
  values: {
    TEXT: { value: 'text' },
    OPTION: { value: 'option' },
    NUMBER: { value: 'number' },
    DATE: { value: 'date' },
    MULTISELECT: { value: 'multiselect', description: 'Any number of distinct `options`; set with `values`.' },
    BOOLEAN: { value: 'boolean', description: '"true" or "false".' },
  } as const,
});

export const CustomFieldRef = builder.objectRef<CustomFieldDefinition>('CustomField').implement({
  description: 'A custom field definition of the viewer\'s tenant.',
  fields: (t) => ({
    id: t.exposeID('fieldId', { description: 'The field UUID (the REST `field_id`).' }),
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    type: t.expose('type', { type: CustomFieldTypeEnum }),
    options: t.exposeStringList('options', { nullable: true, description: 'The allowed values of an OPTION or MULTISELECT field.' }),
    maxLength: t.int({
      nullable: true,
      description: 'The longest value a TEXT field takes, in characters.',
      resolve: (field) => effectiveMaxLength(field),
    }),
    editable: t.exposeBoolean('editable', { description: 'Whether API users may set the value.' }),
    enabled: t.exposeBoolean('enabled'),
    previousNames: t.stringList({
      description: 'Names the field had before it was renamed, most recent first; a client sending one is told the current name.',
      resolve: (field) => [...(field.previousNames ?? [])],
    }),
  }),
});

/** Field ids are UUIDs compared in lower case; anything else names no field. */
export function normalizeFieldId(id: string | number): string | null {
  const text = String(id);
  return UUID.test(text) ? text.toLowerCase() : null;
}

builder.queryField('customFields', (t) =>
  t.field({
    type: [CustomFieldRef],
    description: 'The custom fields of the viewer\'s tenant, by name: the enabled ones, or all with `includeDisabled`.',
    args: { includeDisabled: t.arg.boolean({ defaultValue: false }) },
    resolve: (_root, { includeDisabled }, { store, viewer }) =>
      store.listCustomFields(viewer.tenantId, { includeDisabled: includeDisabled ?? false }),
  }),
);

builder.queryField('customField', (t) =>
  t.field({
    type: CustomFieldRef,
    nullable: true,
    description: 'One custom field of the viewer\'s tenant, enabled or not, by `id` or else by exact `name`; null when there is none.',
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: async (_root, { id, name }, { store, viewer }) => {
      if (id != null && id !== '') {
        const fieldId = normalizeFieldId(id);
        return fieldId ? store.getCustomField(viewer.tenantId, fieldId) : null;
      }
      if (name == null || name === '') throw new GraphQLError('Either id or name is required', { extensions: { code: 'BAD_USER_INPUT' } });
      const fields = await store.listCustomFields(viewer.tenantId, { includeDisabled: true });
      return fields.find((f) => f.name === name) ?? null;
    },
  }),
);
