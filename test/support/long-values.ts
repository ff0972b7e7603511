import { createHash } from 'node:crypto';
import { MAX_TEXT_MAX_LENGTH } from '../../src/core/custom-field.js';
import type { CallStore } from '../../src/store/call-store.js';

/** Printable ASCII (1 byte in UTF-8), CJK (3 bytes) and CJK Extension B (4 bytes, outside the BMP). */
const BLOCKS = [
  { first: 0x21, size: 0x7e - 0x21 + 1 },
  { first: 0x4e00, size: 0x9fff - 0x4e00 + 1 },
  { first: 0x20000, size: 0x2a6df - 0x20000 + 1 },
] as const;

/**
 * `length` code points that no compression shrinks, the same for the same
 * seed: drawn from SHAKE256 output, from all three blocks or, with
 * `fourByte`, only from the four-byte one (the most bytes a prefix can take).
 */
export function incompressibleText(length: number, options: { seed?: string; fourByte?: boolean } = {}): string {
  const bytes = createHash('shake256', { outputLength: length * 4 }).update(options.seed ?? 'callgate').digest();
  const points: number[] = [];
  for (let i = 0; i < length; i++) {
    const draw = bytes.readUInt32BE(i * 4);
    const block = options.fourByte ? BLOCKS[2] : BLOCKS[draw % 3]!;
    points.push(block.first + (Math.floor(draw / 3) % block.size));
  }
  let text = '';
  // String.fromCodePoint takes its arguments on the stack: build long texts in slices.
  for (let i = 0; i < points.length; i += 10_000) text += String.fromCodePoint(...points.slice(i, i + 10_000));
  return text;
}

/** The first `n` code points of a text (not UTF-16 units). */
export const firstCodePoints = (text: string, n: number): string => [...text].slice(0, n).join('');

/** A text field that takes the longest values a field can: 65,535 code points. */
export const LONG_TEXT = { name: 'Transcript', maxLength: MAX_TEXT_MAX_LENGTH } as const;

/** Creates the LONG_TEXT field in a tenant, straight through the store. */
export const createLongTextField = (store: CallStore, tenantId: string, fieldId: string, now: string) =>
  store.createCustomField({
    fieldId,
    tenantId,
    name: LONG_TEXT.name,
    description: null,
    type: 'text',
    options: null,
    maxLength: LONG_TEXT.maxLength,
    editable: true,
    enabled: true,
    now,
  });
