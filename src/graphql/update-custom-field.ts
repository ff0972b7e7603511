import { decideCustomFieldUpdate } from '../core/field-definition.js';
import { can, FIELDS_FORBIDDEN_MESSAGE } from '../core/permissions.js';
import type { CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';
import { changeOrigin } from './context.js';
import { CustomFieldRef, CustomFieldTypeEnum, normalizeFieldId } from './custom-field.js';
import { refusalError } from './custom-field-refusal.js';
import { ConflictError, ForbiddenError, InvalidRecordError, NotFoundError } from './errors.js';

const UpdateCustomFieldInput = builder.inputType('UpdateCustomFieldInput', {
  description:
    'Changes to a custom field; an attribute left out keeps its value. `description: null` removes the description, ' +
    '`maxLength: null` restores the default 255. Changing the type drops a max length or options the new type has no use for.',
  fields: (t) => ({
    name: t.string({ description: 'A new name; the field keeps its id and values, and its old name is remembered.' }),
    type: t.field({ type: CustomFieldTypeEnum, description: 'A new type; stored values are checked against it.' }),
    description: t.string({ description: 'A new description, at most 1000 characters.' }),
    maxLength: t.int({ description: 'TEXT only: the longest value in characters (at most 65535).' }),
    options: t.stringList({ description: 'OPTION and MULTISELECT only: the allowed values, replacing the old ones.' }),
    editable: t.boolean({ description: 'Whether API users may set the value.' }),
    enabled: t.boolean({ description: 'Whether the field is listed and takes values.' }),
  }),
});

interface UpdatedCustomField {
  customField: CustomFieldDefinition;
  invalidatedValues: number;
}

const UpdateCustomFieldSuccess = builder.objectRef<UpdatedCustomField>('UpdateCustomFieldSuccess').implement({
  description: 'The field was changed.',
  fields: (t) => ({
    customField: t.field({ type: CustomFieldRef, description: 'The field as it is now.', resolve: (result) => result.customField }),
    invalidatedValues: t.exposeInt('invalidatedValues', {
      description: 'Stored values that were valid before and are not under the new definition (only with `force`); they read as `valid: false`.',
    }),
  }),
});

builder.mutationField('updateCustomField', (t) =>
  t.field({
    type: UpdateCustomFieldSuccess,
    description:
      'Changes a custom field of the viewer\'s tenant (admin only). A change that makes stored values invalid (a lower ' +
      '`maxLength`, a removed option, another type) is refused with a ConflictError counting them, unless `force: true`: ' +
      'then the values stay stored and read as `valid: false` until rewritten.',
    errors: {
      types: [InvalidRecordError, NotFoundError, ForbiddenError, ConflictError],
      directResult: true,
      union: {
        name: 'UpdateCustomFieldResult',
        description:
          'UpdateCustomFieldSuccess when the field was changed; ForbiddenError when the viewer is not an admin; NotFoundError ' +
          'when the tenant has no such field; InvalidRecordError when the input is invalid (every problem listed); ' +
          'ConflictError when the new name is taken (DUPLICATE) or, without `force`, stored values would become invalid (STORED_VALUES).',
      },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The field UUID.' }),
      input: t.arg({ type: UpdateCustomFieldInput, required: true, description: 'The changes.' }),
      force: t.arg.boolean({ defaultValue: false, description: 'Apply even if stored values become invalid.' }),
    },
    resolve: async (_root, { id, input, force }, context) => {
      const { store, viewer, clock, customFieldDefinitionsChanged } = context;
      if (!can(viewer.role, 'administer')) throw new ForbiddenError(FIELDS_FORBIDDEN_MESSAGE);
      const fieldId = normalizeFieldId(id);
      if (!fieldId) throw new NotFoundError('Custom field not found');
      const outcome = await store.updateCustomField({
        tenantId: viewer.tenantId,
        fieldId,
        now: clock().toISOString(),
        origin: changeOrigin(context, 'admin'),
        decide: (current, fields, storedValues) => decideCustomFieldUpdate(current, input, fields, storedValues, force ?? false),
      });
      switch (outcome.kind) {
        case 'not_found':
          throw new NotFoundError('Custom field not found');
        case 'refused':
          throw refusalError(outcome.refusal);
        case 'written':
          customFieldDefinitionsChanged();
          return { customField: outcome.field, invalidatedValues: outcome.invalidatedValues };
      }
    },
  }),
);
