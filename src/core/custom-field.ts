export const CUSTOM_FIELD_TYPES = ['text', 'option', 'number', 'date', 'multiselect', 'boolean'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const DEFAULT_TEXT_MAX_LENGTH = 255;
export const MAX_TEXT_MAX_LENGTH = 65_535;
export const MAX_FIELD_NAME_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_OPTION_LENGTH = 255;
export const MAX_OPTIONS = 1000;

export interface CustomFieldDefinition {
  fieldId: string;
  tenantId: string;
  name: string;
  description: string | null;
  type: CustomFieldType;
  options: string[] | null;
  maxLength: number | null;
  editable: boolean;
  enabled: boolean;
  /**
   * Names the field had before it was renamed, most recent first. A name is
   * listed for at most one field of a tenant and never for a current name.
   */
  previousNames?: readonly string[];
}

/** The attributes a value is judged by. */
export type ValueRule = Pick<CustomFieldDefinition, 'type' | 'options' | 'maxLength'>;

export interface CustomFieldValue {
  fieldId: string;
  name: string;
  /** The stored text; for a multiselect field the JSON array of the chosen options. */
  value: string;
  updatedAt: string;
  updatedBy: string | null;
  /** The field's current definition, which the stored value may no longer satisfy. */
  definition: ValueRule;
}

export const VALUE_MESSAGES = {
  tooLong: 'Value is too long',
  notAnOption: 'Value is not one of the allowed options',
  notANumber: 'Value is not a valid number',
  notADate: 'Value is not a valid date',
  notABoolean: 'Value is not a valid boolean',
  notAList: 'Value must be a list of options, e.g. ["A", "B"]',
  optionRepeated: 'Value lists an option more than once',
  nul: 'Value must not contain NUL characters',
  illFormed: 'Value must be valid Unicode text',
} as const;

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real day of the proleptic Gregorian calendar (no 30 February), any year 0000-9999. */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  return match ? isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3])) : false;
}

export const hasOptions = (type: CustomFieldType): boolean => type === 'option' || type === 'multiselect';

/** The longest text a field takes: its max_length for text fields (default 255), null for other types. */
export const effectiveMaxLength = (field: ValueRule): number | null =>
  field.type === 'text' ? (field.maxLength ?? DEFAULT_TEXT_MAX_LENGTH) : null;

/** Reads the stored text of a multiselect value: a JSON array of strings, or null when it is not one. */
export function parseOptionList(text: string): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : null;
}

/** Checks a multiselect selection: every item one of the options, none twice. */
export function checkOptionList(field: ValueRule, items: readonly string[]): string | null {
  if (items.some((item) => item.includes('\u0000'))) return VALUE_MESSAGES.nul;
  if (items.some((item) => !item.isWellFormed())) return VALUE_MESSAGES.illFormed;
  const options = field.options ?? [];
  if (items.some((item) => !options.includes(item))) return VALUE_MESSAGES.notAnOption;
  if (new Set(items).size !== items.length) return VALUE_MESSAGES.optionRepeated;
  return null;
}

/**
 * The text stored for a multiselect selection: a JSON array in the order of
 * the field's options, so the same selection is always stored the same way.
 */
export function encodeOptionList(field: ValueRule, items: readonly string[]): string {
  const options = field.options ?? [];
  return JSON.stringify([...items].sort((a, b) => options.indexOf(a) - options.indexOf(b)));
}

/**
 * Checks a non-empty stored text against its field's type. Text counts
 * Unicode code points against max_length (default 255); numbers are decimal
 * JSON-style literals; dates are calendar dates as YYYY-MM-DD; booleans are
 * "true" or "false"; a multiselect value is a JSON array of distinct options.
 * Returns the vendor-style message, or null when the value is acceptable.
 */
export function checkValue(field: ValueRule, value: string): string | null {
  if (value.includes('\u0000')) return VALUE_MESSAGES.nul;
  if (!value.isWellFormed()) return VALUE_MESSAGES.illFormed;
  switch (field.type) {
    case 'text': {
      // Code points are counted only when the UTF-16 length could exceed the limit.
      const max = effectiveMaxLength(field)!;
      return value.length > max && [...value].length > max ? VALUE_MESSAGES.tooLong : null;
    }
    case 'option':
      return (field.options ?? []).includes(value) ? null : VALUE_MESSAGES.notAnOption;
    case 'number':
      return NUMBER.test(value) && Number.isFinite(Number(value)) ? null : VALUE_MESSAGES.notANumber;
    case 'date':
      return isCalendarDate(value) ? null : VALUE_MESSAGES.notADate;
    case 'boolean':
      return value === 'true' || value === 'false' ? null : VALUE_MESSAGES.notABoolean;
    case 'multiselect': {
      const items = parseOptionList(value);
      return items ? checkOptionList(field, items) : VALUE_MESSAGES.notAList;
    }
  }
}

/** Whether a stored value still satisfies its field's current definition (it may not after a forced tightening). */
export function isStoredValueValid(field: ValueRule, value: string): boolean {
  return checkValue(field, value) === null;
}

/** Field names are unique per tenant ignoring case: two names collide when their keys are equal. */
export const nameKey = (name: string): string => name.toLowerCase();

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export const DEFINITION_MESSAGES = {
  nameRequired: 'Name is required',
  nameTooLong: `Name is longer than ${MAX_FIELD_NAME_LENGTH} characters`,
  nameControl: 'Name must not contain control characters',
  typeRequired: 'Type is required',
  descriptionTooLong: `Description is longer than ${MAX_DESCRIPTION_LENGTH} characters`,
  descriptionText: 'Description must be valid Unicode text without NUL characters',
  optionsRequired: (type: CustomFieldType) => `${type === 'option' ? 'An option' : 'A multiselect'} field needs at least one option`,
  optionsUnique: 'Options must be unique',
  optionsEmpty: 'Options must not be empty',
  optionTooLong: `Options must be at most ${MAX_OPTION_LENGTH} characters`,
  optionControl: 'Options must not contain control characters',
  tooManyOptions: `A field has at most ${MAX_OPTIONS} options`,
  optionsNotAllowed: 'Only option and multiselect fields have options',
  maxLengthNotAllowed: 'Only text fields have a max length',
  maxLengthPositive: 'Max length must be a positive integer',
  maxLengthTooLarge: `Max length must be at most ${MAX_TEXT_MAX_LENGTH}`,
  flag: (attribute: string) => `${attribute} must be true or false`,
} as const;

/**
 * Checks a definition's own attributes (not its uniqueness); returns messages
 * keyed by attribute. The name is judged trimmed: 1 to 64 characters.
 */
export function checkDefinition(input: {
  name: string;
  type: CustomFieldType;
  options: readonly string[] | null;
  maxLength: number | null;
  description?: string | null;
}): Record<string, string> {
  const M = DEFINITION_MESSAGES;
  const problems: Record<string, string> = {};
  const name = input.name.trim();
  if (name.length === 0) problems.name = M.nameRequired;
  else if ([...name].length > MAX_FIELD_NAME_LENGTH) problems.name = M.nameTooLong;
  else if (CONTROL.test(name)) problems.name = M.nameControl;
  if (input.description != null) {
    if ([...input.description].length > MAX_DESCRIPTION_LENGTH) problems.description = M.descriptionTooLong;
    // PostgreSQL's text cannot hold NUL, nor any database a lone surrogate: refused on both stores alike.
    else if (input.description.includes('\u0000') || !input.description.isWellFormed()) problems.description = M.descriptionText;
  }
  if (hasOptions(input.type)) {
    const options = input.options;
    if (!options || options.length === 0) problems.options = M.optionsRequired(input.type);
    else if (new Set(options).size !== options.length) problems.options = M.optionsUnique;
    else if (options.some((o) => o.length === 0)) problems.options = M.optionsEmpty;
    else if (options.some((o) => [...o].length > MAX_OPTION_LENGTH)) problems.options = M.optionTooLong;
    else if (options.some((o) => CONTROL.test(o))) problems.options = M.optionControl;
    else if (options.length > MAX_OPTIONS) problems.options = M.tooManyOptions;
  } else if (input.options && input.options.length > 0) {
    problems.options = M.optionsNotAllowed;
  }
  if (input.maxLength !== null) {
    if (input.type !== 'text') problems.maxLength = M.maxLengthNotAllowed;
    else if (!Number.isInteger(input.maxLength) || input.maxLength < 1) problems.maxLength = M.maxLengthPositive;
    else if (input.maxLength > MAX_TEXT_MAX_LENGTH) problems.maxLength = M.maxLengthTooLarge;
  }
  return problems;
}
