import { UUID } from '../core/call.js';
import { resolveFieldReference } from '../core/change-set.js';
import { effectiveMaxLength, type CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';
import { assertCanView, badUserInput } from './errors.js';
import { NodeRef } from './node.js';

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
  interfaces: [NodeRef],
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
      'are given), or null. Also null, with a BAD_USER_INPUT error at this path, when neither is given; the rest of ' +
      'the document still answers.',
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
