import { normalizeTimestamp, UUID } from './call.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageArguments } from './call-list.js';

/** Where a token stands in the token list: oldest first, ties by token id. */
export interface TokenKey {
  createdAt: string;
  id: string;
}

/** Which slice of a keyset-ordered admin list (users by username, tokens by creation) a page shows. */
export interface AccountWindow<Key> {
  /** Rows strictly after this key (list order). */
  after: Key | null;
  /** Rows strictly before this key (list order). */
  before: Key | null;
  /** How many rows the page holds at most. */
  take: number;
  /** Take the last `take` rows of the window (`last`) instead of the first (`first`). */
  fromEnd: boolean;
}

export type AccountWindowDecision<Key> = { ok: true; window: AccountWindow<Key> } | { ok: false; message: string };

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function decode(text: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return null;
  return Buffer.from(text, 'base64url').toString('utf8');
}

export const userCursor = (username: string): string => encode(`u|${username}`);
export const tokenCursor = (key: TokenKey): string => encode(`t|${key.createdAt}|${key.id}`);

/** Reads a cursor userCursor wrote; anything else (a token or call cursor, an edited one) is null. */
export function decodeUserCursor(text: string): string | null {
  const decoded = decode(text);
  if (!decoded?.startsWith('u|')) return null;
  const username = decoded.slice(2);
  return userCursor(username) === text ? username : null;
}

/** Reads a cursor tokenCursor wrote; anything else (a user or call cursor, an edited one) is null. */
export function decodeTokenCursor(text: string): TokenKey | null {
  const parts = decode(text)?.split('|');
  if (parts?.length !== 3 || parts[0] !== 't') return null;
  const [, createdAt, id] = parts as [string, string, string];
  if (normalizeTimestamp(createdAt) !== createdAt || !UUID.test(id) || id !== id.toLowerCase()) return null;
  return tokenCursor({ createdAt, id }) === text ? { createdAt, id } : null;
}

/**
 * Decides the page window of an admin list from Relay arguments, by the rules
 * of the calls list: `first` and `last` default to 20, may not exceed 1000 and
 * cannot be combined; a lone `before` reads the 20 rows before it; a cursor
 * must come from the same list.
 */
export function decideAccountWindow<Key>(args: PageArguments, decodeKey: (text: string) => Key | null): AccountWindowDecision<Key> {
  const first = args.first ?? null;
  const last = args.last ?? null;
  if (first !== null && last !== null) return { ok: false, message: 'Give first or last, not both' };
  for (const [name, value] of [['first', first], ['last', last]] as const) {
    if (value !== null && (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE)) {
      return { ok: false, message: `${name} must be a whole number from 0 to ${MAX_PAGE_SIZE}, got ${value}; page through longer lists with cursors` };
    }
  }
  const after = args.after ?? null;
  const before = args.before ?? null;
  const fromEnd = last !== null || (first === null && before !== null && after === null);
  const window: AccountWindow<Key> = { after: null, before: null, take: first ?? last ?? DEFAULT_PAGE_SIZE, fromEnd };
  for (const [name, text] of [['after', after], ['before', before]] as const) {
    if (text === null) continue;
    const key = decodeKey(text);
    if (key === null) return { ok: false, message: `${name} is not a cursor of this list` };
    window[name] = key;
  }
  return { ok: true, window };
}
