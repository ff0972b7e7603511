import {
  checkOptionList,
  checkValue,
  encodeOptionList,
  nameKey,
  parseOptionList,
  VALUE_MESSAGES,
  type CustomFieldDefinition,
} from './custom-field.js';

/**
 * One entry of a set-custom-fields request as the client sent it. `value`
 * is `undefined` when the client left the key out, which is an error, never a
 * clear. `values` is a multiselect selection, the alternative to `value`.
 */
export interface FieldEntry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
  values?: readonly string[] | null;
}

export type EntryAttribute = 'fieldId' | 'name' | 'value' | 'values';

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

/**
 * The most entries one request may list. Each field may be listed once, so
 * more would take a tenant with more fields than any real one has; without a
 * bound, a 1 MiB body of `{}` entries took seconds of CPU to check and got
 * 45 MB of error details back.
 */
export const MAX_ENTRIES = 1000;

/** The problem of a request that lists more than MAX_ENTRIES entries, checked before any entry; null within the bound. */
export function checkEntryCount(count: number): { location: { list: true }; message: string } | null {
  return count > MAX_ENTRIES ? { location: { list: true }, message: MESSAGES.tooManyEntries } : null;
}

export const MESSAGES = {
  tooManyEntries: `At most ${MAX_ENTRIES} custom fields can be set in one request`,
  referenceRequired: 'Either field_id or name is required',
  unknownField: 'Unknown custom field',
  notEditable: 'Custom field is not editable',
  disabled: 'Custom field is disabled',
  valueRequired: 'Value is required; use null to clear',
  listedTwice: 'Custom field is listed more than once',
  renamed: (name: string) => `Unknown custom field; it was renamed to "${name}"`,
  valueAndValues: 'Use either value or values, not both',
  valuesNotAllowed: 'Only multiselect fields take a list of values; use value',
} as const;

const present = (s: string | null | undefined): s is string => typeof s === 'string' && s.length > 0;

type Resolution =
  | { field: CustomFieldDefinition; attribute: EntryAttribute }
  | { problem: EntryProblem };

/**
 * Finds the field an entry refers to. The id beats the name: when `fieldId` is
 * present the name is ignored, even if it names another field or none. A name
 * must match exactly; one that matches only case-insensitively is reported
 * with the right spelling, and a field's former name with its current name.
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
    const key = nameKey(entry.name);
    const nearly = fields.find((f) => nameKey(f.name) === key);
    const renamed = nearly ? undefined : fields.find((f) => (f.previousNames ?? []).some((n) => nameKey(n) === key));
    const message = nearly
      ? `${MESSAGES.unknownField}; did you mean "${nearly.name}"?`
      : renamed
        ? MESSAGES.renamed(renamed.name)
        : MESSAGES.unknownField;
    return { problem: { index, attribute: 'name', message } };
  }
  return { problem: { index, attribute: null, message: MESSAGES.referenceRequired } };
}

/**
 * Decides what a set-custom-fields request changes. Only the listed fields
 * change; null or "" clears; a missing value is an error. All or nothing: any
 * problem rejects the request, and every problem is reported with its index.
 * A null entry is one the transport already refused as malformed: it keeps
 * its place in the numbering and is otherwise skipped. For the operator
 * (`access.operator`), a field's `editable` and `enabled` do not apply.
 */
export function decideChangeSet(
  entries: readonly (FieldEntry | null)[],
  fields: readonly CustomFieldDefinition[],
  access: { operator?: boolean } = {},
): ChangeSetDecision {
  const problems: EntryProblem[] = [];
  const changes: FieldChange[] = [];
  const seen = new Set<string>();

  entries.forEach((entry, index) => {
    if (entry === null) return;
    const resolution = resolveFieldReference(entry, index, fields);
    const missing = entry.value === undefined && entry.values === undefined;
    if ('problem' in resolution) {
      problems.push(resolution.problem);
      if (missing) problems.push({ index, attribute: 'value', message: MESSAGES.valueRequired });
      return;
    }
    const { field, attribute } = resolution;
    if (seen.has(field.fieldId)) {
      problems.push({ index, attribute, message: MESSAGES.listedTwice });
      return;
    }
    seen.add(field.fieldId);
    if (!field.enabled && !access.operator) {
      problems.push({ index, attribute, message: MESSAGES.disabled });
      return;
    }
    if (!field.editable && !access.operator) {
      problems.push({ index, attribute, message: MESSAGES.notEditable });
      return;
    }
    if (missing) {
      problems.push({ index, attribute: 'value', message: MESSAGES.valueRequired });
      return;
    }
    const decided = decideValue(field, entry);
    if ('problem' in decided) problems.push({ index, ...decided.problem });
    else changes.push({ fieldId: field.fieldId, value: decided.value });
  });

  return problems.length > 0 ? { ok: false, problems } : { ok: true, changes };
}

type ValueDecision = { value: string | null } | { problem: { attribute: EntryAttribute; message: string } };

/**
 * The text to store for one entry, null to clear. null and "" clear any
 * field; a multiselect field also takes `values` (null or [] clear), or a JSON
 * array as `value`, and stores the selection as a JSON array in option order.
 */
function decideValue(field: CustomFieldDefinition, entry: FieldEntry): ValueDecision {
  if (entry.value !== undefined && entry.values !== undefined) {
    return { problem: { attribute: 'values', message: MESSAGES.valueAndValues } };
  }
  if (entry.values !== undefined) {
    if (entry.values === null) return { value: null };
    if (field.type !== 'multiselect') return { problem: { attribute: 'values', message: MESSAGES.valuesNotAllowed } };
    return decideSelection(field, entry.values, 'values');
  }
  const value = entry.value;
  if (value === null || value === undefined || value === '') return { value: null };
  if (field.type === 'multiselect') {
    const items = parseOptionList(value);
    return items ? decideSelection(field, items, 'value') : { problem: { attribute: 'value', message: VALUE_MESSAGES.notAList } };
  }
  const message = checkValue(field, value);
  return message ? { problem: { attribute: 'value', message } } : { value };
}

function decideSelection(field: CustomFieldDefinition, items: readonly string[], attribute: EntryAttribute): ValueDecision {
  if (items.length === 0) return { value: null };
  const message = checkOptionList(field, items);
  return message ? { problem: { attribute, message } } : { value: encodeOptionList(field, items) };
}

/**
 * Decides the values an operator imports with a call. `editable` and
 * `enabled` guard API clients, not the operator loading data, so they do not apply.
 */
export function decideImportedValues(
  entries: readonly FieldEntry[],
  fields: readonly CustomFieldDefinition[],
): ChangeSetDecision {
  return decideChangeSet(entries, fields, { operator: true });
}
