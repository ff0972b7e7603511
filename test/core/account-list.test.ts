import { describe, expect, it } from 'vitest';
import { decideAccountWindow, decodeTokenCursor, decodeUserCursor, tokenCursor, userCursor } from '../../src/core/account-list.js';
import { encodeCursor } from '../../src/core/call-list.js';

const TOKEN = { createdAt: '2026-01-02T03:04:05.000Z', id: '0b6f0d3e-5a1c-4f7e-9a2b-3c4d5e6f7a8b' };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('admin list cursors', () => {
  it('read back what they wrote, usernames with "|" and non-ASCII included', () => {
    for (const username of ['admin', 'a|b', 'Zoë', '']) expect(decodeUserCursor(userCursor(username))).toBe(username);
    expect(decodeTokenCursor(tokenCursor(TOKEN))).toEqual(TOKEN);
  });

  it.each([
    ['a token cursor as a user cursor', () => decodeUserCursor(tokenCursor(TOKEN))],
    ['a user cursor as a token cursor', () => decodeTokenCursor(userCursor('admin'))],
    ['a calls cursor', () => decodeUserCursor(encodeCursor({ kind: 'offset', offset: 3 }))],
    ['a timestamp not as the store writes it', () => decodeTokenCursor(b64(`t|2026-01-02T03:04:05Z|${TOKEN.id}`))],
    ['an upper-case token id', () => decodeTokenCursor(b64(`t|${TOKEN.createdAt}|${TOKEN.id.toUpperCase()}`))],
    ['padded base64', () => decodeUserCursor(`${userCursor('admin')}=`)],
    ['not base64url at all', () => decodeUserCursor('a+b/c')],
  ])('refuse %s', (_label, decode) => {
    expect(decode()).toBeNull();
  });
});

describe('decideAccountWindow', () => {
  it.each([
    ['defaults to the first 20', {}, { after: null, before: null, take: 20, fromEnd: false }],
    ['first and after', { first: 5, after: userCursor('b') }, { after: 'b', before: null, take: 5, fromEnd: false }],
    ['last and before read from the end', { last: 5, before: userCursor('b') }, { after: null, before: 'b', take: 5, fromEnd: true }],
    ['a lone before reads the 20 before it', { before: userCursor('b') }, { after: null, before: 'b', take: 20, fromEnd: true }],
  ])('%s', (_label, args, window) => {
    expect(decideAccountWindow(args, decodeUserCursor)).toEqual({ ok: true, window });
  });

  it.each([
    [{ first: 1, last: 1 }, 'Give first or last, not both'],
    [{ first: -1 }, 'first must be a whole number from 0 to 1000, got -1; page through longer lists with cursors'],
    [{ last: 1001 }, 'last must be a whole number from 0 to 1000, got 1001; page through longer lists with cursors'],
    [{ after: 'nope' }, 'after is not a cursor of this list'],
  ])('refuses %j', (args, message) => {
    expect(decideAccountWindow(args, decodeUserCursor)).toEqual({ ok: false, message });
  });
});
