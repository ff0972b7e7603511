import type { CustomFieldValue, ValueRule } from '../../core/custom-field.js';

/** A stored value joined with its field's rule, flat, as the PostgreSQL store's statements return it (decoded). */
export type ValueRow = Omit<CustomFieldValue, 'definition'> & ValueRule;

/** Nests the field's rule of a flat value row under `definition`. */
export const toCustomFieldValue = ({ type, options, maxLength, ...value }: ValueRow): CustomFieldValue => ({
  ...value,
  definition: { type, options, maxLength },
});
