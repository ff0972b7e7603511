import { UUID } from '../core/call.js';
import { resolveFieldReference } from '../core/change-set.js';
import { effectiveMaxLength, type CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';
import { assertCanView, badUserInput } from './errors.js';
import { NodeRef } from './node.js';

export const CustomFieldTypeEnum = builder.enumType('CustomFieldType', {
  description:
    'The kind of value a custom field takes, and the format of its value (the text in `CustomFieldValue.value` and in ' +
    '`CustomFieldValueInput.value`). `""` or null clears.',
  values: {
    TEXT: { value: 'text', description: 'Any text of at most `maxLength` characters (code points; default 255).' },
    OPTION: { value: 'option', description: 'Exactly one of the field\'s `options`, as written there (case matters).' },
    NUMBER: { value: 'number', description: 'A decimal number, optionally negative and with an exponent, e.g. "42", "-12.5", ".5" or "1e3"; no "+" sign.' },
    DATE: { value: 'date', description: 'A calendar date as YYYY-MM-DD, e.g. "2023-09-12"; no time, no zone.' },
    MULTISELECT: {
      value: 'multiselect',
      description:
        'Any number of distinct `options`: set with `values: [...]`, read as `values` (in option order) and as the JSON ' +
        'array text in `value`, e.g. `["Email","Phone"]`.',
    },
    BOOLEAN: { value: 'boolean', description: 'Exactly "true" or "false" (lower case).' },
  } as const,
});

export const CustomFieldRef = builder.objectRef<CustomFieldDefinition>('CustomField').implement({
  description: 'A custom field definition of the viewer\'s tenant.',
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('fieldId', { description: 'The field UUID (the REST `field_id`).' }),
    name: t.exposeString('name', { description: 'The current name, unique in the tenant ignoring case.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the field is for; null when not given.' }),
    type: t.expose('type', { type: CustomFieldTypeEnum, description: 'The kind of value the field takes.' }),
    options: t.exposeStringList('options', { nullable: true, description: 'The allowed values of an OPTION or MULTISELECT field.' }),
    maxLength: t.int({
      nullable: true,
      description: 'The longest value a TEXT field takes, in characters.',
      resolve: (field) => effectiveMaxLength(field),
    }),
    editable: t.exposeBoolean('editable', { description: 'Whether API users may set the value.' }),
    enabled: t.exposeBoolean('enabled', { description: 'A disabled field is not listed by default and takes no values.' }),
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
    args: { includeDisabled: t.arg.boolean({ defaultValue: false, description: 'Also list disabled fields.' }) },
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
    args: { id: t.arg.id({ description: 'The field UUID.' }), name: t.arg.string({ description: 'The exact field name.' }) },
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
