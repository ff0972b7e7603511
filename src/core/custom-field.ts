export const CUSTOM_FIELD_TYPES = ['text', 'option', 'number', 'date'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export const DEFAULT_TEXT_MAX_LENGTH = 255;
export const MAX_FIELD_NAME_LENGTH = 64;

export interface CustomFieldDefinition {
  fieldId: string;
  tenantId: string;
  name: string;
  type: CustomFieldType;
  options: string[] | null;
  maxLength: number | null;
  editable: boolean;
  enabled: boolean;
}

export interface CustomFieldValue {
  fieldId: string;
  name: string;
  value: string;
  updatedAt: string;
  updatedBy: string | null;
}

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

/**
 * Checks a non-empty value against its field's type. Text counts Unicode code
 * points against max_length (default 255); numbers are decimal JSON-style
 * literals; dates are calendar dates as YYYY-MM-DD. Returns the vendor-style
 * message, or null when the value is acceptable.
 */
export function checkValue(field: CustomFieldDefinition, value: string): string | null {
  if (value.includes('\u0000')) return 'Value must not contain NUL characters';
  if (!value.isWellFormed()) return 'Value must be valid Unicode text';
  switch (field.type) {
    case 'text':
      return [...value].length > (field.maxLength ?? DEFAULT_TEXT_MAX_LENGTH) ? 'Value is too long' : null;
    case 'option':
      return (field.options ?? []).includes(value) ? null : 'Value is not one of the allowed options';
    case 'number':
      return NUMBER.test(value) && Number.isFinite(Number(value)) ? null : 'Value is not a valid number';
    case 'date':
      return isCalendarDate(value) ? null : 'Value is not a valid date';
  }
}

/** Checks a definition's own attributes; returns messages keyed by attribute. */
export function checkDefinition(input: {
  name: string;
  type: CustomFieldType;
  options: string[] | null;
  maxLength: number | null;
}): Record<string, string> {
  const problems: Record<string, string> = {};
  const name = input.name.trim();
  if (name.length === 0) problems.name = 'Name is required';
  else if ([...name].length > MAX_FIELD_NAME_LENGTH) problems.name = `Name is longer than ${MAX_FIELD_NAME_LENGTH} characters`;
  if (input.type === 'option') {
    if (!input.options || input.options.length === 0) problems.options = 'An option field needs at least one option';
    else if (new Set(input.options).size !== input.options.length) problems.options = 'Options must be unique';
    else if (input.options.some((o) => o.length === 0)) problems.options = 'Options must not be empty';
  } else if (input.options && input.options.length > 0) {
    problems.options = 'Only option fields have options';
  }
  if (input.maxLength !== null) {
    if (input.type !== 'text') problems.maxLength = 'Only text fields have a max length';
    else if (!Number.isInteger(input.maxLength) || input.maxLength < 1) problems.maxLength = 'Max length must be a positive integer';
  }
  return problems;
}
