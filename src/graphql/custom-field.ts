import { DEFAULT_TEXT_MAX_LENGTH, type CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';

export const CustomFieldTypeEnum = builder.enumType('CustomFieldType', {
  values: {
    TEXT: { value: 'text' },
    OPTION: { value: 'option' },
    NUMBER: { value: 'number' },
    DATE: { value: 'date' },
  } as const,
});

export const CustomFieldRef = builder.objectRef<CustomFieldDefinition>('CustomField').implement({
  description: 'A custom field definition of the viewer\'s tenant.',
  fields: (t) => ({
    id: t.exposeID('fieldId', { description: 'The field UUID (the REST `field_id`).' }),
    name: t.exposeString('name'),
    type: t.expose('type', { type: CustomFieldTypeEnum }),
    options: t.exposeStringList('options', { nullable: true, description: 'The allowed values of an OPTION field.' }),
    maxLength: t.int({
      nullable: true,
      description: 'The longest value a TEXT field takes, in characters.',
      resolve: (field) => (field.type === 'text' ? (field.maxLength ?? DEFAULT_TEXT_MAX_LENGTH) : null),
    }),
    editable: t.exposeBoolean('editable', { description: 'Whether API users may set the value.' }),
    enabled: t.exposeBoolean('enabled'),
  }),
});

builder.queryField('customFields', (t) =>
  t.field({
    type: [CustomFieldRef],
    description: 'The enabled custom fields of the viewer\'s tenant, by name.',
    resolve: (_root, _args, { store, viewer }) => store.listCustomFields(viewer.tenantId),
  }),
);
