import { checkValue, type CustomFieldDefinition } from './custom-field.js';

/**
 * One entry of a set-custom-fields request as the client sent it. `value`
 * is `undefined` when the client left the key out, which is an error, never a clear.
 */
export interface FieldEntry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
}

export type EntryAttribute = 'fieldId' | 'name' | 'value';

/** A problem with one entry; `attribute` is null when the entry as a whole is wrong. */
export interface EntryProblem {
  index: number;
  attribute: EntryAttribute | null;
  message: string;
}

/** One field's new value; `value: null` deletes the stored value. */
export interface FieldChange {
  fieldId: string;
  value: string | null;
}

export type ChangeSetDecision =
  | { ok: true; changes: FieldChange[] }
  | { ok: false; problems: EntryProblem[] };

export const MESSAGES = {
  referenceRequired: 'Either field_id or name is required',
  unknownField: 'Unknown custom field',
  notEditable: 'Custom field is not editable',
  disabled: 'Custom field is disabled',
  valueRequired: 'Value is required; use null to clear',
  listedTwice: 'Custom field is listed more than once',
} as const;

const present = (s: string | null | undefined): s is string => typeof s === 'string' && s.length > 0;

type Resolution =
  | { field: CustomFieldDefinition; attribute: EntryAttribute }
  | { problem: EntryProblem };

/**
 * Finds the field an entry refers to. The id beats the name: when `fieldId` is
 * present the name is ignored, even if it names another field or none. A name
 * must match exactly; one that matches only case-insensitively is reported
 * with the right spelling.
 */
export function resolveFieldReference(
  entry: FieldEntry,
  index: number,
  fields: readonly CustomFieldDefinition[],
): Resolution {
  if (present(entry.fieldId)) {
    const wanted = entry.fieldId.toLowerCase();
    const field = fields.find((f) => f.fieldId === wanted);
    return field
      ? { field, attribute: 'fieldId' }
      : { problem: { index, attribute: 'fieldId', message: MESSAGES.unknownField } };
  }
  if (present(entry.name)) {
    const field = fields.find((f) => f.name === entry.name);
    if (field) return { field, attribute: 'name' };
    const lower = entry.name.toLowerCase();
    const nearly = fields.find((f) => f.name.toLowerCase() === lower);
    const message = nearly ? `${MESSAGES.unknownField}; did you mean "${nearly.name}"?` : MESSAGES.unknownField;
    return { problem: { index, attribute: 'name', message } };
  }
  return { problem: { index, attribute: null, message: MESSAGES.referenceRequired } };
}

/**
 * Decides what a set-custom-fields request changes. Only the listed fields
 * change; null or "" clears; a missing value is an error. All or nothing: any
 * problem rejects the request, and every problem is reported with its index.
 */
export function decideChangeSet(
  entries: readonly FieldEntry[],
  fields: readonly CustomFieldDefinition[],
): ChangeSetDecision {
  const problems: EntryProblem[] = [];
  const changes: FieldChange[] = [];
  const seen = new Set<string>();

  entries.forEach((entry, index) => {
    const resolution = resolveFieldReference(entry, index, fields);
    const value = entry.value;
    if ('problem' in resolution) {
      problems.push(resolution.problem);
      if (value === undefined) problems.push({ index, attribute: 'value', message: MESSAGES.valueRequired });
      return;
    }
    const { field, attribute } = resolution;
    if (seen.has(field.fieldId)) {
      problems.push({ index, attribute, message: MESSAGES.listedTwice });
      return;
    }
    seen.add(field.fieldId);
    if (!field.enabled) {
      problems.push({ index, attribute, message: MESSAGES.disabled });
      return;
    }
    if (!field.editable) {
      problems.push({ index, attribute, message: MESSAGES.notEditable });
      return;
    }
    if (value === undefined) {
      problems.push({ index, attribute: 'value', message: MESSAGES.valueRequired });
      return;
    }
    if (value === null || value === '') {
      changes.push({ fieldId: field.fieldId, value: null });
      return;
    }
    const message = checkValue(field, value);
    if (message) problems.push({ index, attribute: 'value', message });
    else changes.push({ fieldId: field.fieldId, value });
  });

  return problems.length > 0 ? { ok: false, problems } : { ok: true, changes };
}

/**
 * Decides the values an operator imports with a call. `editable` and
 * `enabled` guard API clients, not the operator loading data, so they do not apply.
 */
export function decideImportedValues(
  entries: readonly FieldEntry[],
  fields: readonly CustomFieldDefinition[],
): ChangeSetDecision {
  return decideChangeSet(entries, fields.map((field) => ({ ...field, editable: true, enabled: true })));
}
