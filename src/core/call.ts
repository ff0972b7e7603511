import { isCalendarDay } from './custom-field.js';

export const DIRECTIONS = ['inbound', 'outbound', 'unknown'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface CallRecord {
  callId: string;
  tenantId: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: Direction;
  duration: number;
  version: number;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Normalises an ISO 8601 timestamp with an offset to UTC with milliseconds, or null when it is not one (30 February included). */
export function normalizeTimestamp(value: string): string | null {
  const match = ISO_8601.exec(value);
  if (!match || !isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]))) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

export interface CallImport {
  call: Omit<CallRecord, 'tenantId' | 'version'>;
  customFields: { fieldId?: string | null; name?: string | null; value?: string | null; values?: string[] }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The longest from or to number a call takes: room for any phone number or SIP
 * address, and well within what a PostgreSQL index entry holds (the numbers
 * are indexed for prefix search).
 */
export const MAX_NUMBER_LENGTH = 255;

/** Longer than MAX_NUMBER_LENGTH code points; counted only when the UTF-16 length could be. */
const tooLong = (number: string) => number.length > MAX_NUMBER_LENGTH && [...number].length > MAX_NUMBER_LENGTH;

/**
 * Reads one REST-shaped call object (`call_id`, `setup_time`, `from_number`,
 * `to_number`, `direction`, `duration`, optional `custom_fields`) as the import
 * takes it. A value that is a list of strings is a multiselect selection. Returns the call or the first problem found, in words for the operator.
 */
export function readCallImport(input: unknown): { ok: true; value: CallImport } | { ok: false; message: string } {
  if (!isObject(input)) return { ok: false, message: 'expected a JSON object' };
  const { call_id, setup_time, from_number, to_number, direction, duration, custom_fields } = input;
  if (typeof call_id !== 'string' || !UUID.test(call_id)) return { ok: false, message: 'call_id must be a UUID' };
  const setupTime = typeof setup_time === 'string' ? normalizeTimestamp(setup_time) : null;
  if (!setupTime) return { ok: false, message: 'setup_time must be an ISO 8601 timestamp with a time zone' };
  if (typeof from_number !== 'string') return { ok: false, message: 'from_number must be a string' };
  if (typeof to_number !== 'string') return { ok: false, message: 'to_number must be a string' };
  if (tooLong(from_number)) return { ok: false, message: `from_number is longer than ${MAX_NUMBER_LENGTH} characters` };
  if (tooLong(to_number)) return { ok: false, message: `to_number is longer than ${MAX_NUMBER_LENGTH} characters` };
  const dir = direction ?? 'unknown';
  if (typeof dir !== 'string' || !(DIRECTIONS as readonly string[]).includes(dir)) {
    return { ok: false, message: `direction must be one of ${DIRECTIONS.join(', ')}` };
  }
  const dur = duration ?? 0;
  if (typeof dur !== 'number' || !Number.isInteger(dur) || dur < 0) {
    return { ok: false, message: 'duration must be a whole number of seconds' };
  }
  const customFields: CallImport['customFields'] = [];
  if (custom_fields !== undefined && custom_fields !== null) {
    if (!Array.isArray(custom_fields)) return { ok: false, message: 'custom_fields must be an array' };
    // An index loop and object literals: an import reads this for every call.
    for (let i = 0; i < custom_fields.length; i++) {
      const entry: unknown = custom_fields[i];
      if (!isObject(entry)) return { ok: false, message: `custom_fields.${i} must be an object` };
      const value = entry.value;
      const fieldId = typeof entry.field_id === 'string' ? entry.field_id : null;
      const name = typeof entry.name === 'string' ? entry.name : null;
      if (Array.isArray(value)) {
        if (!value.every((item) => typeof item === 'string')) return { ok: false, message: `custom_fields.${i}.value must list strings only` };
        customFields.push({ fieldId, name, values: value });
        continue;
      }
      if (value !== null && value !== undefined && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return { ok: false, message: `custom_fields.${i}.value must be a string, number, boolean, null or a list of strings` };
      }
      customFields.push({ fieldId, name, value: value === undefined ? undefined : value === null ? null : String(value) });
    }
  }
  return {
    ok: true,
    value: {
      call: { callId: call_id.toLowerCase(), setupTime, fromNumber: from_number, toNumber: to_number, direction: dir as Direction, duration: dur },
      customFields,
    },
  };
}
