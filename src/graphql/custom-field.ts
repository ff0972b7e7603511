import { resolveFieldReference } from '../core/change-set.js';
import { DEFAULT_TEXT_MAX_LENGTH, type CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';
import { assertCanView, badUserInput } from './errors.js';
import { NodeRef } from './node.js';

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
  interfaces: [NodeRef],
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
    description: 'The custom fields of the viewer\'s tenant by name: the enabled ones, or all with `includeDisabled`.',
    args: { includeDisabled: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_root, { includeDisabled }, { viewer, customFieldDefinitions }) => {
      assertCanView(viewer);
      const fields = await customFieldDefinitions();
      return includeDisabled ? fields : fields.filter((field) => field.enabled);
    },
  }),
);

builder.queryField('customField', (t) =>
  t.field({
    type: CustomFieldRef,
    nullable: true,
    description:
      'One custom field of the viewer\'s tenant, enabled or not, by `id` or exact `name` (the id wins when both ' +
      'are given), or null.',
    args: { id: t.arg.id(), name: t.arg.string() },
    resolve: async (_root, args, { viewer, customFieldDefinitions }) => {
      assertCanView(viewer);
      const ref = { fieldId: args.id == null ? args.id : String(args.id), name: args.name };
      const resolution = resolveFieldReference(ref, 0, await customFieldDefinitions());
      if ('field' in resolution) return resolution.field;
      if (resolution.problem.attribute === null) throw badUserInput('Either id or name is required');
      return null;
    },
  }),
);
