import type { CallRecord, Direction } from './call.js';
import { findFieldToRead } from './call-values.js';
import { effectiveMaxLength, type CustomFieldDefinition } from './custom-field.js';

export const MAX_CUSTOM_FIELD_FILTERS = 20;
export const MAX_IN_VALUES = 1000;
export const MAX_NUMBER_PREFIX_LENGTH = 64;

/** One condition on a custom field's value as the client sent it; exactly one of them must be given. */
export interface CustomFieldConditionInput {
  equals?: string | null;
  in?: readonly string[] | null;
  isSet?: boolean | null;
}

/**
 * A filter on one custom field as the client sent it: a field reference and one condition, in `is` or
 * (deprecated) beside the reference.
 */
export interface CustomFieldFilterInput extends CustomFieldConditionInput {
  fieldId?: string | null;
  name?: string | null;
  is?: CustomFieldConditionInput | null;
}

/** A call list filter as the client sent it; timestamps already normalised to UTC. */
export interface CallFilterInput {
  setupTimeFrom?: string | null;
  setupTimeTo?: string | null;
  direction?: Direction | null;
  number?: string | null;
  customFields?: readonly CustomFieldFilterInput[] | null;
}

export type CustomFieldCondition =
  | { fieldId: string; equals: string }
  | { fieldId: string; in: string[] }
  | { fieldId: string; isSet: boolean };

/** A decided filter: every condition holds for a listed call (AND). Null means no condition. */
export interface CallFilter {
  /** Inclusive. */
  setupTimeFrom: string | null;
  /** Inclusive. */
  setupTimeTo: string | null;
  direction: Direction | null;
  /** The from or the to number starts with it. */
  numberPrefix: string | null;
  customFields: CustomFieldCondition[];
}

export const NO_FILTER: CallFilter = { setupTimeFrom: null, setupTimeTo: null, direction: null, numberPrefix: null, customFields: [] };

/** Whether a filter matches every call. */
export const filtersNothing = (filter: CallFilter): boolean =>
  filter.setupTimeFrom === null && filter.setupTimeTo === null && filter.direction === null && filter.numberPrefix === null && filter.customFields.length === 0;

/** A problem with one part of a filter; `path` is relative to the filter, e.g. "customFields.0.name". */
export interface FilterProblem {
  path: string;
  message: string;
}

/**
 * Decides a call list filter against the tenant's field definitions. Every
 * given condition must hold (AND); each custom field filter names one enabled
 * field of the tenant and has exactly one of `equals`, `in` or `isSet`, either in `is` or beside the
 * reference (the older form), never in both.
 * Returns every problem, so the client fixes them in one go.
 */
export function decideCallFilter(
  input: CallFilterInput,
  fields: readonly CustomFieldDefinition[],
): { ok: true; filter: CallFilter } | { ok: false; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const from = input.setupTimeFrom ?? null;
  const to = input.setupTimeTo ?? null;
  if (from !== null && to !== null && from > to) problems.push({ path: 'setupTimeTo', message: 'setupTimeTo is before setupTimeFrom' });
  const number = input.number ?? null;
  if (number !== null && [...number].length > MAX_NUMBER_PREFIX_LENGTH) {
    problems.push({ path: 'number', message: `number is longer than ${MAX_NUMBER_PREFIX_LENGTH} characters` });
  }

  const entries = input.customFields ?? [];
  const customFields: CustomFieldCondition[] = [];
  if (entries.length > MAX_CUSTOM_FIELD_FILTERS) {
    problems.push({ path: 'customFields', message: `At most ${MAX_CUSTOM_FIELD_FILTERS} custom field filters` });
  } else {
    entries.forEach((entry, index) => {
      const at = `customFields.${index}`;
      const lookup = findFieldToRead(entry, fields);
      if (!lookup.ok) problems.push({ path: lookup.attribute ? `${at}.${lookup.attribute}` : at, message: lookup.message });
      const givenIn = (condition: CustomFieldConditionInput) =>
        (['equals', 'in', 'isSet'] as const).filter((key) => condition[key] !== undefined && condition[key] !== null);
      const nested = entry.is ?? null;
      if (nested !== null && givenIn(entry).length > 0) {
        problems.push({ path: at, message: 'Give the condition in is or beside the field reference, not both' });
        return;
      }
      const condition = nested ?? entry;
      const conditionAt = nested === null ? at : `${at}.is`;
      const given = givenIn(condition);
      if (given.length !== 1) {
        problems.push({ path: conditionAt, message: 'Give exactly one of equals, in or isSet' });
        return;
      }
      if (condition.in && condition.in.length > MAX_IN_VALUES) {
        problems.push({ path: `${conditionAt}.in`, message: `in takes at most ${MAX_IN_VALUES} values` });
        return;
      }
      if (!lookup.ok) return;
      // No value longer than the field takes can have been written since its max length was set: refuse rather than search.
      const max = effectiveMaxLength(lookup.field);
      const tooLong = (value: string) => max !== null && [...value].length > max;
      const longer = `is longer than the field's max length of ${max} characters`;
      if (given[0] === 'equals' && tooLong(condition.equals!)) {
        problems.push({ path: `${conditionAt}.equals`, message: `equals ${longer}` });
        return;
      }
      const longIndex = given[0] === 'in' ? condition.in!.findIndex(tooLong) : -1;
      if (longIndex >= 0) {
        problems.push({ path: `${conditionAt}.in.${longIndex}`, message: `in.${longIndex} ${longer}` });
        return;
      }
      const fieldId = lookup.field.fieldId;
      if (given[0] === 'equals') customFields.push({ fieldId, equals: condition.equals! });
      else if (given[0] === 'in') customFields.push({ fieldId, in: [...new Set(condition.in!)] });
      else customFields.push({ fieldId, isSet: condition.isSet! });
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    filter: { setupTimeFrom: from, setupTimeTo: to, direction: input.direction ?? null, numberPrefix: number === '' ? null : number, customFields },
  };
}

/**
 * Whether a call with these stored values matches a decided filter: the same
 * verdict as the stores' call list (setup times and numbers compare as the
 * stored text, values equal exactly), judged in memory for a call already read.
 */
export function callMatchesFilter(filter: CallFilter, call: CallRecord, values: readonly { fieldId: string; value: string }[]): boolean {
  if (filter.setupTimeFrom !== null && call.setupTime < filter.setupTimeFrom) return false;
  if (filter.setupTimeTo !== null && call.setupTime > filter.setupTimeTo) return false;
  if (filter.direction !== null && call.direction !== filter.direction) return false;
  const prefix = filter.numberPrefix;
  if (prefix !== null && !call.fromNumber.startsWith(prefix) && !call.toNumber.startsWith(prefix)) return false;
  return filter.customFields.every((condition) => {
    const stored = values.find((v) => v.fieldId === condition.fieldId)?.value;
    if ('isSet' in condition) return (stored !== undefined) === condition.isSet;
    if (stored === undefined) return false;
    return 'equals' in condition ? stored === condition.equals : condition.in.includes(stored);
  });
}
