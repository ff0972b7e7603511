import { checkEntryCount } from '../../core/change-set.js';
import type { EntryLocation } from '../../core/entry-location.js';
import { JsonNumber } from '../../core/json-text.js';

/** One entry as the mutation's input takes it (a RestEntry of the change-set rules, too). */
export interface RestEntry {
  fieldId?: string | null;
  name?: string | null;
  value?: string | null;
  values?: string[];
}

export interface EntryProblemAt {
  location: EntryLocation;
  message: string;
}

/**
 * A vendor body read as set-custom-fields entries: `list` when the list as a
 * whole is refused; else every entry in body order, null where an entry is
 * malformed, with a problem for each malformed one.
 */
export type CustomFieldsBody =
  | { kind: 'list'; problem: EntryProblemAt }
  | { kind: 'entries'; entries: (RestEntry | null)[]; problems: EntryProblemAt[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

/** The vendor body's `call.custom_fields`, whatever it holds; undefined when the path is missing. */
const customFieldsOf = (body: unknown): unknown =>
  isObject(body) && isObject(body.call) ? body.call.custom_fields : undefined;

/** Whether any entry's value is a JSON number (read again with exact digits, which JSON.parse would round). */
export function hasNumberValue(body: unknown): boolean {
  const list = customFieldsOf(body);
  return Array.isArray(list) && list.some((entry) => isObject(entry) && typeof entry.value === 'number');
}

const LIST = { list: true } as const;

/**
 * Reads the vendor body `{"call": {"custom_fields": [...]}}` (parsed with raw
 * numbers) into mutation entries. Numbers and booleans become their JSON text
 * as sent; a list of strings is a multiselect selection (`values`); an object,
 * or a list of anything else, is malformed. An absent `value` stays absent, so
 * the change-set rules refuse it. A list longer than MAX_ENTRIES is refused
 * as a whole, before any entry is looked at.
 */
export function readCustomFieldsBody(body: unknown): CustomFieldsBody {
  const list = customFieldsOf(body);
  if (!Array.isArray(list)) return { kind: 'list', problem: { location: LIST, message: 'Must be an array of custom field entries' } };
  const tooMany = checkEntryCount(list.length);
  if (tooMany) return { kind: 'list', problem: tooMany };
  const problems: EntryProblemAt[] = [];
  const entries = list.map((item, index): RestEntry | null => {
    if (!isObject(item)) {
      problems.push({ location: { index, attribute: null }, message: 'Must be an object with field_id or name, and value' });
      return null;
    }
    const problemsBefore = problems.length;
    const entry: RestEntry = {};
    for (const [key, attribute] of [['field_id', 'fieldId'], ['name', 'name']] as const) {
      const ref = item[key];
      if (ref === undefined || ref === null || typeof ref === 'string') entry[attribute] = ref ?? null;
      else problems.push({ location: { index, attribute }, message: `${key} must be a string` });
    }
    if ('value' in item) {
      const value = item.value;
      if (value === null || typeof value === 'string') entry.value = value;
      else if (value instanceof JsonNumber) entry.value = value.text;
      else if (typeof value === 'number' && Number.isFinite(value)) entry.value = JSON.stringify(value);
      else if (typeof value === 'boolean') entry.value = String(value);
      else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) entry.values = value;
      else problems.push({ location: { index, attribute: 'value' }, message: 'Value must be a string, number, boolean, null or a list of strings' });
    }
    return problems.length > problemsBefore ? null : entry;
  });
  return { kind: 'entries', entries, problems };
}
