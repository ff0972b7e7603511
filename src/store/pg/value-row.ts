import type { CustomFieldValue, ValueRule } from '../../core/custom-field.js';

/** A stored value joined with its field's rule, flat, as the PostgreSQL store's statements return it (decoded). */
export type ValueRow = Omit<CustomFieldValue, 'definition'> & ValueRule;

/** Nests the field's rule of a flat value row under `definition`; other columns of the row are left out. */
export const toCustomFieldValue = (row: ValueRow): CustomFieldValue => ({
  fieldId: row.fieldId,
  name: row.name,
  value: row.value,
  updatedAt: row.updatedAt,
  updatedBy: row.updatedBy,
  definition: { type: row.type, options: row.options, maxLength: row.maxLength },
});
