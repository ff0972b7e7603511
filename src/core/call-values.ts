import { MESSAGES, resolveFieldReference } from './change-set.js';
import type { CustomFieldDefinition, CustomFieldValue, ValueRule } from './custom-field.js';

/** A custom field as a call shows it: its stored value, or null (with no update) where unset. */
export interface CallFieldValue {
  fieldId: string;
  name: string;
  value: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** The field's current definition, which a stored value may no longer satisfy. */
  definition: ValueRule;
}

export type FieldLookup =
  | { ok: true; field: CustomFieldDefinition }
  | { ok: false; attribute: 'fieldId' | 'name' | null; message: string };

/**
 * Finds the field a read refers to, as the mutation does: the id beats the
 * name, a name matches exactly (a near miss is named). A disabled field's
 * values are hidden, so reading or filtering by it is an error too.
 */
export function findFieldToRead(
  ref: { fieldId?: string | null; name?: string | null },
  fields: readonly CustomFieldDefinition[],
): FieldLookup {
  const resolution = resolveFieldReference(ref, 0, fields);
  if ('problem' in resolution) {
    const { attribute, message } = resolution.problem;
    if (attribute === null) return { ok: false, attribute, message: 'Either fieldId or name is required' };
    return { ok: false, attribute: attribute as 'fieldId' | 'name', message };
  }
  if (!resolution.field.enabled) return { ok: false, attribute: resolution.attribute as 'fieldId' | 'name', message: MESSAGES.disabled };
  return { ok: true, field: resolution.field };
}

/**
 * The values a call shows, ordered by field name. `values` are the call's
 * stored values of enabled fields; with `includeEmpty` every enabled field of
 * the tenant is listed, with a null value where the call has none, so a form
 * can render all fields from one query.
 */
export function valuesToShow(
  values: readonly CustomFieldValue[],
  fields: readonly CustomFieldDefinition[],
  includeEmpty: boolean,
): CallFieldValue[] {
  if (!includeEmpty) return [...values];
  const stored = new Map(values.map((v) => [v.fieldId, v]));
  return fields
    .filter((field) => field.enabled)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.fieldId < b.fieldId ? -1 : 1))
    .map(
      (field) =>
        stored.get(field.fieldId) ?? {
          fieldId: field.fieldId,
          name: field.name,
          value: null,
          updatedAt: null,
          updatedBy: null,
          definition: { type: field.type, options: field.options, maxLength: field.maxLength },
        },
    );
}
