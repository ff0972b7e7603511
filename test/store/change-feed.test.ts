import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/core/change-log.js';
import type { ChangeQuery, ChangeWake } from '../../src/store/call-store.js';
import { ChangeFeed } from '../../src/store/change-feed.js';

/** A tenant's log in memory, with the wake-up a commit sends. */
function memoryLog() {
  const records: ChangeRecord[] = [];
  let wake: ((wake: ChangeWake) => void) | null = null;
  return {
    readChanges: async (query: ChangeQuery) => {
      const after = query.afterSequence ?? 0;
      const found = records.filter((r) => r.sequence > after);
      return query.order === 'desc' ? found.reverse().slice(0, query.limit) : found.slice(0, query.limit);
    },
    callReads: [] as string[],
    async getCall(_tenantId: string, callId: string) {
      this.callReads.push(callId);
      return null;
    },
    watchChanges: (onWake: (wake: ChangeWake) => void) => {
      wake = onWake;
      return async () => void (wake = null);
    },
    /** Appends one change set of one record (to call c1 unless told) and wakes the feed. */
    commit(callId = 'c1', { quietly = false } = {}) {
      const sequence = records.length + 1;
      records.push({ sequence, changeSetId: `set-${sequence}`, callId, callVersion: sequence, committedAt: '2026-01-02T03:04:05.000Z' } as ChangeRecord);
      if (!quietly) wake?.({ tenantId: 't1', sequence });
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('ChangeFeed', () => {
  it('ends a subscriber that lets more than maxBuffered records wait, naming the last sequence it was handed', async () => {
    const log = memoryLog();
    const feed = new ChangeFeed(log as never, () => {}, 3);
    const stream = await feed.open('t1', null, async (set) => `event ${set[0]!.sequence}`, (last) => `too slow after ${last}`);
    log.commit();
    expect((await stream.next()).value).toBe('event 1');
    // Not pulled while four more arrive: one more than the three it may keep waiting.
    for (let i = 0; i < 4; i++) {
      log.commit();
      await settle();
    }
    expect(await stream.next()).toEqual({ value: 'too slow after 1', done: false });
    expect((await stream.next()).done).toBe(true);
    await feed.close();
  });

  it('keeps a subscriber that stays within maxBuffered', async () => {
    const log = memoryLog();
    const feed = new ChangeFeed(log as never, () => {}, 3);
    const stream = await feed.open('t1', null, async (set) => `event ${set[0]!.sequence}`, (last) => `too slow after ${last}`);
    for (let i = 0; i < 3; i++) {
      log.commit();
      await settle();
    }
    const events = [];
    for (let i = 0; i < 3; i++) events.push((await stream.next()).value);
    expect(events).toEqual(['event 1', 'event 2', 'event 3']);
    await feed.close();
  });

  it('hands a subscriber of some calls only their change sets, and charges it only for those', async () => {
    const log = memoryLog();
    const feed = new ChangeFeed(log as never, () => {}, 3);
    const selected: number[] = [];
    const select = async (set: ChangeRecord[]) => (selected.push(set[0]!.sequence), `event ${set[0]!.sequence}`);
    const stream = await feed.open('t1', null, select, (last) => `too slow after ${last}`, new Set(['mine']));
    // ten writes to other calls while it pulls nothing: more than maxBuffered, none of them its own
    for (let i = 0; i < 10; i++) {
      log.commit('other');
      await settle();
    }
    log.commit('mine');
    expect((await stream.next()).value).toBe('event 11');
    expect(selected).toEqual([11]);
    await feed.close();
  });

  it('replays past whole pages of other calls\' change sets to the subscriber\'s own', async () => {
    const log = memoryLog();
    for (let i = 0; i < 2500; i++) log.commit(i === 2400 ? 'mine' : 'other', { quietly: true });
    const feed = new ChangeFeed(log as never, () => {}, 3);
    const stream = await feed.open('t1', 0, async (set) => `event ${set[0]!.sequence}`, (last) => `too slow after ${last}`, new Set(['mine']));
    expect((await stream.next()).value).toBe('event 2401');
    log.commit('mine');
    expect((await stream.next()).value).toBe('event 2501');
    await feed.close();
  });

  it('hands a subscriber of several calls their change sets in log order when one read holds them all, and stops reading when the last one leaves', async () => {
    const log = memoryLog();
    let watching = 0;
    const watched = { ...log, watchChanges: (onWake: (wake: ChangeWake) => void) => (watching++, log.watchChanges(onWake)) };
    const feed = new ChangeFeed(watched as never, () => {}, 10);
    const event = async (set: ChangeRecord[]) => `${set[0]!.callId} ${set[0]!.sequence}`;
    const both = await feed.open('t1', null, event, (last) => `too slow after ${last}`, new Set(['a', 'b']));
    const onlyB = await feed.open('t1', null, event, (last) => `too slow after ${last}`, new Set(['b']));
    for (const callId of ['a', 'other', 'b', 'a']) log.commit(callId, { quietly: true });
    log.commit('other');
    const events = [];
    for (let i = 0; i < 3; i++) events.push((await both.next()).value);
    expect(events).toEqual(['a 1', 'b 3', 'a 4']);
    expect((await onlyB.next()).value).toBe('b 3');
    await both.return!();
    await onlyB.return!();
    // a new subscriber after everyone left starts watching again: the tenant's tail was released
    await (await feed.open('t1', null, event, (last) => `too slow after ${last}`, new Set())).return!();
    expect(watching).toBe(2);
    await feed.close();
  });

  it('reads the call after each change set once for all its subscribers, as soon as the tail reads the set', async () => {
    const log = memoryLog();
    const feed = new ChangeFeed(log as never, () => {}, 10);
    const event = async (set: ChangeRecord[], reads: { call(): Promise<unknown> }) => (await reads.call(), `event ${set[0]!.sequence}`);
    const tooSlow = (last: number) => `too slow after ${last}`;
    const streams = [await feed.open('t1', null, event, tooSlow), await feed.open('t1', null, event, tooSlow), await feed.open('t1', null, event, tooSlow, new Set(['c1']))];
    log.commit('c1');
    log.commit('nobody watches this one alone', { quietly: true });
    log.commit('c1');
    await settle();
    // read before any subscriber pulled its event, and once per change set, not once per subscriber
    expect(log.callReads).toEqual(['c1', 'nobody watches this one alone', 'c1']);
    for (const stream of streams) expect((await stream.next()).value).toBe('event 1');
    expect(log.callReads).toHaveLength(3);
    await feed.close();
  });
});
