import type { CallFilterInput } from '../core/call-filter.js';
import { DIRECTIONS, type Direction } from '../core/call.js';
import { parseJson } from '../core/json-text.js';
import { UsageError } from './errors.js';

/**
 * `--filter`: a GraphQL `CallFilter` as JSON (setupTimeFrom, setupTimeTo,
 * direction INBOUND|OUTBOUND|UNKNOWN, number, customFields), read into the
 * core's input; what names a field is decided later, against the tenant's fields.
 */
export function filterOption(text: string | undefined): CallFilterInput {
  if (text === undefined) return {};
  const json = parseJson(text);
  if (!json.ok || typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
    throw new UsageError('--filter must be a JSON object: a CallFilter, e.g. \'{"direction": "INBOUND", "customFields": [{"name": "Outcome", "equals": "Lost"}]}\'');
  }
  const input = json.value as Record<string, unknown>;
  if (input.direction === undefined || input.direction === null) return input as CallFilterInput;
  const direction = typeof input.direction === 'string' ? input.direction.toLowerCase() : '';
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    throw new UsageError(`--filter: direction must be one of ${DIRECTIONS.map((d) => d.toUpperCase()).join(', ')}`);
  }
  return { ...input, direction: direction as Direction } as CallFilterInput;
}
