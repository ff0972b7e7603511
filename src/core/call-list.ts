import { normalizeTimestamp, UUID, type CallRecord } from './call.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 1000;

export type CallOrderField = 'setup_time' | 'duration';
export type SortDirection = 'asc' | 'desc';

export interface CallOrder {
  field: CallOrderField;
  direction: SortDirection;
}

export const DEFAULT_CALL_ORDER: CallOrder = { field: 'setup_time', direction: 'desc' };

/** A row's place in a list: its sort key and, as tiebreak, its call id. */
export interface CallKey {
  key: string | number;
  callId: string;
}

/**
 * What a cursor points at: a row's key in one order, or a number of rows to
 * skip. Only key cursors are handed out; offset cursors exist for the REST
 * shim's `start`, which pages by offset as the vendor does.
 */
export type CallCursor = ({ kind: 'key'; field: CallOrderField } & CallKey) | { kind: 'offset'; offset: number };

const FIELD_TAG: Record<CallOrderField, string> = { setup_time: 's', duration: 'd' };

export function encodeCursor(cursor: CallCursor): string {
  const text = cursor.kind === 'offset' ? `o|${cursor.offset}` : `${FIELD_TAG[cursor.field]}|${cursor.key}|${cursor.callId}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The cursor of a call in a list sorted by `field`. */
export function cursorOf(call: CallRecord, field: CallOrderField): string {
  return encodeCursor({ kind: 'key', field, key: field === 'setup_time' ? call.setupTime : call.duration, callId: call.callId });
}

const WHOLE_NUMBER = /^(0|[1-9]\d{0,14})$/;

/** Reads a cursor this module wrote; anything else, including a re-encoded or edited cursor, is null. */
export function decodeCursor(text: string): CallCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return null;
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const parts = decoded.split('|');
  let cursor: CallCursor | null = null;
  if (parts.length === 2 && parts[0] === 'o' && WHOLE_NUMBER.test(parts[1]!)) {
    cursor = { kind: 'offset', offset: Number(parts[1]) };
  } else if (parts.length === 3 && UUID.test(parts[2]!) && parts[2] === parts[2]!.toLowerCase()) {
    const [tag, key, callId] = parts as [string, string, string];
    if (tag === 's' && normalizeTimestamp(key) === key) cursor = { kind: 'key', field: 'setup_time', key, callId };
    if (tag === 'd' && WHOLE_NUMBER.test(key)) cursor = { kind: 'key', field: 'duration', key: Number(key), callId };
  }
  return cursor && encodeCursor(cursor) === text ? cursor : null;
}

/** Which slice of the filtered, ordered list a page shows. */
export interface CallWindow {
  /** Rows strictly after this key (list order). */
  after: CallKey | null;
  /** Rows strictly before this key (list order). */
  before: CallKey | null;
  /** Rows skipped before the page (REST `start`); only when reading from the start. */
  offset: number;
  /** How many rows the page holds at most. */
  take: number;
  /** Take the last `take` rows of the window (`last`) instead of the first (`first`). */
  fromEnd: boolean;
}

export interface PageArguments {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export type WindowDecision = { ok: true; window: CallWindow } | { ok: false; message: string };

function checkSize(name: 'first' | 'last', value: number): string | null {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE) {
    return `${name} must be a whole number from 0 to ${MAX_PAGE_SIZE}, got ${value}; page through longer lists with cursors`;
  }
  return null;
}

/**
 * Decides the page window from Relay arguments. `first` and `last` default to
 * 20 and may not exceed 1000 (an error, never a silent clamp); they cannot be
 * combined. Without either, a lone `before` reads the 20 rows before it, anything
 * else the first 20. A cursor must come from a list in the same order.
 */
export function decideCallWindow(args: PageArguments, field: CallOrderField): WindowDecision {
  const first = args.first ?? null;
  const last = args.last ?? null;
  if (first !== null && last !== null) return { ok: false, message: 'Give first or last, not both' };
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    const problem = value === null ? null : checkSize(name, value);
    if (problem) return { ok: false, message: problem };
  }
  const after = args.after ?? null;
  const before = args.before ?? null;
  const fromEnd = last !== null || (first === null && before !== null && after === null);
  const window: CallWindow = { after: null, before: null, offset: 0, take: first ?? last ?? DEFAULT_PAGE_SIZE, fromEnd };

  for (const [name, text] of [['after', after], ['before', before]] as const) {
    if (text === null) continue;
    const cursor = decodeCursor(text);
    if (!cursor) return { ok: false, message: `${name} is not a cursor of this list` };
    if (cursor.kind === 'offset') {
      if (name === 'before' || fromEnd) return { ok: false, message: `${name} is not a cursor of this list` };
      window.offset = cursor.offset;
      continue;
    }
    if (cursor.field !== field) {
      return { ok: false, message: `${name} is a cursor of a list in another order; use it with the orderBy it came from` };
    }
    window[name] = { key: cursor.key, callId: cursor.callId };
  }
  return { ok: true, window };
}

/** What a store reports about a page, besides its calls. */
export interface PageFacts {
  /** More rows follow the page in reading direction (forward for first, backward for last). */
  more: boolean;
  /**
   * Rows lie behind where the page starts reading: before its window (up to
   * and including `after`, or within a skipped offset) for first, after it
   * (from `before` on) for last.
   */
  behindCursor: boolean;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Relay page info: `more` is the next page when reading forward and the previous one when reading backward. */
export function pageInfoOf(window: Pick<CallWindow, 'fromEnd'>, facts: PageFacts): PageInfo {
  return window.fromEnd
    ? { hasNextPage: facts.behindCursor, hasPreviousPage: facts.more }
    : { hasNextPage: facts.more, hasPreviousPage: facts.behindCursor };
}
