import { randomUUID } from 'node:crypto';
import { decideNewCustomField } from '../core/field-definition.js';
import { can, FIELDS_FORBIDDEN_MESSAGE } from '../core/permissions.js';
import { builder } from './builder.js';
import { CustomFieldRef, CustomFieldTypeEnum } from './custom-field.js';
import { refusalError } from './custom-field-refusal.js';
import { ConflictError, ForbiddenError, InvalidRecordError } from './errors.js';

const CreateCustomFieldInput = builder.inputType('CreateCustomFieldInput', {
  description: 'A new custom field. The name is trimmed, 1 to 64 characters, and unique in the tenant ignoring case.',
  fields: (t) => ({
    id: t.id({ description: 'A UUID for the field (e.g. to keep the vendor\'s `field_id`); generated when absent.' }),
    name: t.string({ required: true, description: 'The field name.' }),
    type: t.field({ type: CustomFieldTypeEnum, required: true, description: 'The kind of value the field takes.' }),
    description: t.string({ description: 'What the field is for, at most 1000 characters.' }),
    maxLength: t.int({ description: 'TEXT only: the longest value in characters (default 255, at most 65535).' }),
    options: t.stringList({ description: 'OPTION and MULTISELECT only: the allowed values, at least one.' }),
    editable: t.boolean({ defaultValue: true, description: 'Whether API users may set the value.' }),
    enabled: t.boolean({ defaultValue: true, description: 'Whether the field is listed and takes values.' }),
  }),
});

builder.mutationField('createCustomField', (t) =>
  t.field({
    type: CustomFieldRef,
    description: 'Creates a custom field in the viewer\'s tenant (admin only), as REST `POST /api/v2/custom_fields.json`.',
    errors: {
      types: [InvalidRecordError, ForbiddenError, ConflictError],
      union: {
        name: 'CreateCustomFieldResult',
        description:
          'CreateCustomFieldSuccess when the field was created; ForbiddenError when the viewer is not an admin; ' +
          'InvalidRecordError when the input is invalid (every problem listed); ConflictError (DUPLICATE) when the name or id is taken.',
      },
      result: { name: 'CreateCustomFieldSuccess', description: 'The field was created.' },
      dataField: { name: 'customField', description: 'The new field.' },
    },
    args: { input: t.arg({ type: CreateCustomFieldInput, required: true, description: 'The new field.' }) },
    resolve: async (_root, { input }, { store, viewer, clock, customFieldDefinitionsChanged }) => {
      if (!can(viewer.role, 'administer')) throw new ForbiddenError(FIELDS_FORBIDDEN_MESSAGE);
      const context = { tenantId: viewer.tenantId, fieldId: randomUUID() };
      const outcome = await store.defineCustomField({
        tenantId: viewer.tenantId,
        now: clock().toISOString(),
        decide: (fields) => decideNewCustomField({ ...input, id: input.id == null ? input.id : String(input.id) }, context, fields),
      });
      if (outcome.kind === 'written') {
        customFieldDefinitionsChanged();
        return outcome.field;
      }
      if (outcome.kind === 'refused') throw refusalError(outcome.refusal);
      // A new field has nothing to be missing: the store never answers not_found here (masked if it did).
      throw new Error(`createCustomField: unexpected outcome ${outcome.kind}`);
    },
  }),
);
