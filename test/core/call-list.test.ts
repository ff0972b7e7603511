import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/core/call.js';
import { cursorOf, decideCallWindow, decodeCursor, encodeCursor, pageInfoOf, type CallCursor, type CallWindow, type PageArguments } from '../../src/core/call-list.js';

const CALL_ID = '11111111-1111-4111-8111-111111111111';
const call: CallRecord = {
  callId: CALL_ID,
  tenantId: 't',
  setupTime: '2026-01-01T09:00:00.000Z',
  fromNumber: '+1',
  toNumber: '+2',
  direction: 'inbound',
  duration: 61,
  version: 1,
};

describe('cursors', () => {
  it.each<CallCursor>([
    { kind: 'key', field: 'setup_time', key: '2026-01-01T09:00:00.000Z', callId: CALL_ID },
    { kind: 'key', field: 'duration', key: 0, callId: CALL_ID },
    { kind: 'key', field: 'duration', key: 86_400, callId: CALL_ID },
    { kind: 'offset', offset: 0 },
    { kind: 'offset', offset: 40 },
  ])('%j round-trips', (cursor) => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('a call\'s cursor holds its key in that order', () => {
    expect(decodeCursor(cursorOf(call, 'setup_time'))).toEqual({ kind: 'key', field: 'setup_time', key: call.setupTime, callId: CALL_ID });
    expect(decodeCursor(cursorOf(call, 'duration'))).toEqual({ kind: 'key', field: 'duration', key: 61, callId: CALL_ID });
  });

  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['an unknown tag', b64(`x|1|${CALL_ID}`)],
    ['a timestamp that is not canonical', b64(`s|2026-01-01T09:00:00Z|${CALL_ID}`)],
    ['an impossible day', b64(`s|2026-02-30T09:00:00.000Z|${CALL_ID}`)],
    ['a negative duration', b64(`d|-1|${CALL_ID}`)],
    ['a duration with a leading zero', b64(`d|01|${CALL_ID}`)],
    ['a call id that is no UUID', b64('d|1|not-a-uuid')],
    ['an upper-case call id', b64('d|1|AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA')],
    ['an offset with a fraction', b64('o|1.5')],
    ['extra parts', b64(`d|1|${CALL_ID}|x`)],
    ['padding added', `${encodeCursor({ kind: 'offset', offset: 4 })}=`],
  ])('%s is no cursor', (_label, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});

describe('decideCallWindow', () => {
  const key = decodeCursor(cursorOf(call, 'setup_time'))!;
  const after = cursorOf(call, 'setup_time');
  const base: CallWindow = { after: null, before: null, offset: 0, take: 20, fromEnd: false };

  it.each<[string, PageArguments, CallWindow]>([
    ['nothing: the first 20', {}, base],
    ['nulls are nothing', { first: null, last: null, after: null, before: null }, base],
    ['first', { first: 5 }, { ...base, take: 5 }],
    ['first 0', { first: 0 }, { ...base, take: 0 }],
    ['first 1000', { first: 1000 }, { ...base, take: 1000 }],
    ['last', { last: 7 }, { ...base, take: 7, fromEnd: true }],
    ['first after', { first: 3, after }, { ...base, take: 3, after: { key: key.kind === 'key' ? key.key : '', callId: CALL_ID } }],
    ['before alone: the 20 before it', { before: after }, { ...base, fromEnd: true, before: { key: call.setupTime, callId: CALL_ID } }],
    ['first before: from the start, up to it', { first: 2, before: after }, { ...base, take: 2, before: { key: call.setupTime, callId: CALL_ID } }],
    ['after and before: from the start of the window', { after, before: after }, { ...base, after: { key: call.setupTime, callId: CALL_ID }, before: { key: call.setupTime, callId: CALL_ID } }],
    ['an offset cursor', { first: 10, after: encodeCursor({ kind: 'offset', offset: 40 }) }, { ...base, take: 10, offset: 40 }],
  ])('%s', (_label, args, window) => {
    expect(decideCallWindow(args, 'setup_time')).toEqual({ ok: true, window });
  });

  it.each<[string, PageArguments, string]>([
    ['first over 1000', { first: 1001 }, 'first must be a whole number from 0 to 1000, got 1001; page through longer lists with cursors'],
    ['last over 1000', { last: 100000 }, 'last must be a whole number from 0 to 1000, got 100000; page through longer lists with cursors'],
    ['a negative first', { first: -5 }, 'first must be a whole number from 0 to 1000, got -5; page through longer lists with cursors'],
    ['first and last', { first: 1, last: 1 }, 'Give first or last, not both'],
    ['a bad after', { after: 'nope' }, 'after is not a cursor of this list'],
    ['a bad before', { before: 'nope' }, 'before is not a cursor of this list'],
    ['an offset before', { before: encodeCursor({ kind: 'offset', offset: 3 }) }, 'before is not a cursor of this list'],
    ['an offset with last', { last: 3, after: encodeCursor({ kind: 'offset', offset: 3 }) }, 'after is not a cursor of this list'],
    ['a cursor of another order', { after: cursorOf(call, 'duration') }, 'after is a cursor of a list in another order; use it with the orderBy it came from'],
  ])('%s is refused', (_label, args, message) => {
    expect(decideCallWindow(args, 'setup_time')).toEqual({ ok: false, message });
  });
});

describe('pageInfoOf', () => {
  const forward: CallWindow = { after: null, before: null, offset: 0, take: 5, fromEnd: false };
  it.each([
    [forward, { more: true, behindCursor: false }, { hasNextPage: true, hasPreviousPage: false }],
    [forward, { more: false, behindCursor: true }, { hasNextPage: false, hasPreviousPage: true }],
    [{ ...forward, fromEnd: true }, { more: true, behindCursor: false }, { hasNextPage: false, hasPreviousPage: true }],
    [{ ...forward, fromEnd: true }, { more: false, behindCursor: true }, { hasNextPage: true, hasPreviousPage: false }],
  ])('%j with %j', (window, facts, info) => {
    expect(pageInfoOf(window, facts)).toEqual(info);
  });
});
