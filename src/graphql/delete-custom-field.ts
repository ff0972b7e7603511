import { decideCustomFieldDeletion } from '../core/field-definition.js';
import { can, FIELDS_FORBIDDEN_MESSAGE } from '../core/permissions.js';
import type { CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';
import { changeOrigin } from './context.js';
import { CustomFieldRef, normalizeFieldId } from './custom-field.js';
import { refusalError } from './custom-field-refusal.js';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.js';

interface DeletedCustomField {
  customField: CustomFieldDefinition;
  deletedValues: number;
}

const DeleteCustomFieldSuccess = builder.objectRef<DeletedCustomField>('DeleteCustomFieldSuccess').implement({
  description: 'The field and its stored values were deleted.',
  fields: (t) => ({
    customField: t.field({ type: CustomFieldRef, description: 'The field as it was before the deletion.', resolve: (result) => result.customField }),
    deletedValues: t.exposeInt('deletedValues', { description: 'Stored values deleted with the field.' }),
  }),
});

builder.mutationField('deleteCustomField', (t) =>
  t.field({
    type: DeleteCustomFieldSuccess,
    description:
      'Deletes a custom field of the viewer\'s tenant (admin only). A field with stored values needs `force: true`; its ' +
      'values are deleted in the same transaction and each call that loses one gets a new version.',
    errors: {
      types: [NotFoundError, ForbiddenError, ConflictError],
      directResult: true,
      union: {
        name: 'DeleteCustomFieldResult',
        description:
          'DeleteCustomFieldSuccess when the field (and with `force` its values) was deleted; ForbiddenError when the viewer is ' +
          'not an admin; NotFoundError when the tenant has no such field; ConflictError (STORED_VALUES) when the field has ' +
          'values and `force` is false.',
      },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The field UUID.' }),
      force: t.arg.boolean({ defaultValue: false, description: 'Delete the field even if it has stored values, and them with it.' }),
    },
    resolve: async (_root, { id, force }, context) => {
      const { store, viewer, clock, customFieldDefinitionsChanged } = context;
      if (!can(viewer.role, 'administer')) throw new ForbiddenError(FIELDS_FORBIDDEN_MESSAGE);
      const fieldId = normalizeFieldId(id);
      if (!fieldId) throw new NotFoundError('Custom field not found');
      const outcome = await store.deleteCustomField({
        tenantId: viewer.tenantId,
        fieldId,
        now: clock().toISOString(),
        origin: changeOrigin(context, 'admin'),
        decide: (_field, storedValueCount) => decideCustomFieldDeletion(storedValueCount, force ?? false),
      });
      switch (outcome.kind) {
        case 'not_found':
          throw new NotFoundError('Custom field not found');
        case 'refused':
          throw refusalError(outcome.refusal);
        case 'deleted':
          customFieldDefinitionsChanged();
          return { customField: outcome.field, deletedValues: outcome.deletedValues };
      }
    },
  }),
);
