import { changeSetsOf, wholeChangeSets } from '../core/change-events.js';
import type { ChangeRecord } from '../core/change-log.js';
import type { CallStore, CallWithValues, ChangeWake } from './call-store.js';

/** Records read from the log at a time, by the feed and by a replay. */
export const FEED_PAGE = 1000;
const RETRY_MS = 1000;
/** Reads of recent change sets' calls kept for every subscriber to share (see `open`). */
const SHARED_READS = 1000;

/** What a subscriber's `select` may read about a change set, each read once for all subscribers. */
export interface ChangeSetReads {
  /** The call as read right after the change set; started when the tail reads the set, before any subscriber asks. */
  call(): Promise<CallWithValues | null>;
}

type Deliver = (records: ChangeRecord[]) => void;

interface TenantTail {
  /** The last sequence read (and handed out); -1 until the log's end is known. */
  lastSeen: number;
  /** Subscribers of every call's records. */
  everyCall: Set<Deliver>;
  /** Subscribers of some calls' records, by call: a read wakes only those of the calls it holds. */
  byCall: Map<string, Set<Deliver>>;
  /** Every subscriber, of all calls or of some. */
  subscribers: Set<Deliver>;
  reading: boolean;
  again: boolean;
  ready: Promise<void>;
}

/**
 * The live tail of the change log, for subscriptions. One reader per tenant,
 * not per subscriber: a wake-up from the store (watchChanges) makes it read
 * the tenant's records after the last one it saw, once, and hand them to
 * every subscriber of the tenant in memory. It watches the store only while
 * someone subscribes. It belongs to one app: two apps never share it.
 */
export class ChangeFeed {
  private readonly tenants = new Map<string, TenantTail>();
  private readonly streams = new Set<() => void>();
  private readonly callReads = new Map<string, Promise<CallWithValues | null>>();
  private stopWatching: (() => Promise<void>) | null = null;
  private closed = false;

  constructor(
    private readonly store: Pick<CallStore, 'readChanges' | 'watchChanges' | 'getCall'>,
    private readonly onError: (error: unknown) => void = () => {},
    /** Records waiting for one subscriber at most; a subscriber further behind is ended (`tooSlow`). */
    private readonly maxBuffered = 1000,
  ) {}

  /**
   * The tenant's change sets in log order, as `select` maps them (null skips
   * one): every one after `after` (a sequence), or without it, every one
   * from the log's current end on. No gap and no repeat between the replay
   * of the past and the live tail: the tail is followed first, and what the
   * replay already handed out is dropped from it. Ends when `return` is
   * called or the feed closes. `reads` are made once per change set for
   * all subscribers, not once per subscriber.
   * A subscriber that lets more than `maxBuffered` records wait is not
   * buffered further: its last event is `tooSlow(the last sequence it was
   * handed)`, to resume from, and the stream ends.
   *
   * `calls`, when given, drops every other call's change sets before they
   * are buffered or handed to `select`: a subscriber of a few calls is not
   * woken by, and not charged for, the tenant's other writes.
   */
  async open<T>(
    tenantId: string,
    after: number | null,
    select: (set: ChangeRecord[], reads: ChangeSetReads) => Promise<T | null>,
    tooSlow: (lastDelivered: number) => T,
    calls?: ReadonlySet<string>,
  ): Promise<AsyncIterableIterator<T>> {
    if (this.closed) throw new Error('the change feed is closed');
    const live: ChangeRecord[] = [];
    let waiting: (() => void) | null = null;
    let ended = false;
    let overflowed = false;
    const wakeUp = () => {
      waiting?.();
      waiting = null;
    };
    const end = () => {
      ended = true;
      wakeUp();
    };
    const ofInterest = calls ? (records: ChangeRecord[]) => records.filter((r) => calls.has(r.callId)) : (records: ChangeRecord[]) => records;
    const onRecords = (all: ChangeRecord[]) => {
      if (overflowed) return;
      const records = ofInterest(all);
      if (records.length === 0) return;
      if (live.length + records.length > this.maxBuffered) {
        overflowed = true;
        live.length = 0;
      } else {
        live.push(...records);
      }
      wakeUp();
    };
    const from = await this.follow(tenantId, onRecords, calls);
    this.streams.add(end);
    const unfollow = () => {
      this.streams.delete(end);
      this.unfollow(tenantId, onRecords, calls);
    };

    const store = this.store;
    const readsOf = (set: ChangeRecord[]): ChangeSetReads => ({
      call: () => this.callAfter(tenantId, set),
    });
    async function* sets(): AsyncGenerator<T> {
      let delivered = after ?? from;
      if (after !== null && after < from) {
        for (;;) {
          const page = await store.readChanges({ tenantId, afterSequence: delivered, order: 'asc', limit: FEED_PAGE });
          const records = wholeChangeSets(page, FEED_PAGE);
          for (const set of changeSetsOf(ofInterest(records))) {
            if (ended) return;
            if (overflowed) return yield tooSlow(delivered);
            delivered = set.at(-1)!.sequence;
            const event = await select(set, readsOf(set));
            if (event !== null) yield event;
          }
          // every record of the page was handed out or was of no interest: the next page starts after it
          if (records.length > 0) delivered = records.at(-1)!.sequence;
          if (page.length < FEED_PAGE || records.length === 0) break;
        }
      }
      while (!ended) {
        if (overflowed) return yield tooSlow(delivered);
        if (live.length === 0) {
          await new Promise<void>((resolve) => (waiting = resolve));
          continue;
        }
        const records = live.splice(0).filter((r) => r.sequence > delivered);
        for (const set of changeSetsOf(records)) {
          if (ended) return;
          if (overflowed) return yield tooSlow(delivered);
          delivered = set.at(-1)!.sequence;
          const event = await select(set, readsOf(set));
          if (event !== null) yield event;
        }
      }
    }

    const generator = sets();
    // A generator waiting for the next record cannot be returned from: `return` ends the wait first.
    const iterator: AsyncIterableIterator<T> = {
      next: async () => {
        const result = await generator.next().catch((error: unknown) => {
          unfollow();
          throw error;
        });
        if (result.done) unfollow();
        return result;
      },
      return: async () => {
        end();
        unfollow();
        return generator.return(undefined);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** The call after a change set, read once for every subscriber; the last SHARED_READS sets' reads are kept. */
  private callAfter(tenantId: string, set: ChangeRecord[]): Promise<CallWithValues | null> {
    const key = `${tenantId} ${set[0]!.changeSetId}`;
    let reading = this.callReads.get(key);
    if (!reading) {
      reading = this.store.getCall(tenantId, set.at(-1)!.callId);
      reading.catch(() => this.callReads.delete(key));
      this.callReads.set(key, reading);
      if (this.callReads.size > SHARED_READS) this.callReads.delete(this.callReads.keys().next().value!);
    }
    return reading;
  }

  /** Ends every open stream and stops watching the store (on shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const end of [...this.streams]) end();
    this.tenants.clear();
    this.callReads.clear();
    await this.stopWatching?.();
    this.stopWatching = null;
  }

  /** Starts handing the tenant's new records to `deliver`; resolves with the last sequence before them. */
  private async follow(tenantId: string, deliver: Deliver, calls: ReadonlySet<string> | undefined): Promise<number> {
    this.stopWatching ??= this.store.watchChanges((wake) => this.wake(wake));
    let tail = this.tenants.get(tenantId);
    if (!tail) {
      const created: TenantTail = {
        lastSeen: -1,
        everyCall: new Set(),
        byCall: new Map(),
        subscribers: new Set(),
        reading: false,
        again: false,
        ready: Promise.resolve(),
      };
      created.ready = this.store.readChanges({ tenantId, order: 'desc', limit: 1 }).then(
        ([last]) => {
          created.lastSeen = last?.sequence ?? 0;
          if (created.again) void this.read(tenantId, created);
        },
        (error: unknown) => {
          if (this.tenants.get(tenantId) === created) this.tenants.delete(tenantId);
          throw error;
        },
      );
      this.tenants.set(tenantId, created);
      tail = created;
    }
    tail.subscribers.add(deliver);
    if (!calls) tail.everyCall.add(deliver);
    for (const callId of calls ?? []) {
      let subscribers = tail.byCall.get(callId);
      if (!subscribers) tail.byCall.set(callId, (subscribers = new Set()));
      subscribers.add(deliver);
    }
    try {
      await tail.ready;
    } catch (error) {
      this.unfollow(tenantId, deliver, calls);
      throw error;
    }
    return tail.lastSeen;
  }

  private unfollow(tenantId: string, deliver: Deliver, calls: ReadonlySet<string> | undefined): void {
    const tail = this.tenants.get(tenantId);
    if (!tail?.subscribers.delete(deliver)) return;
    tail.everyCall.delete(deliver);
    for (const callId of calls ?? []) {
      const subscribers = tail.byCall.get(callId);
      subscribers?.delete(deliver);
      if (subscribers?.size === 0) tail.byCall.delete(callId);
    }
    if (tail.subscribers.size > 0) return;
    this.tenants.delete(tenantId);
    if (this.tenants.size === 0 && this.stopWatching) {
      const stop = this.stopWatching;
      this.stopWatching = null;
      void stop().catch(this.onError);
    }
  }

  private wake(wake: ChangeWake): void {
    if (wake.tenantId === null) {
      for (const [tenantId, tail] of this.tenants) void this.read(tenantId, tail);
      return;
    }
    const tail = this.tenants.get(wake.tenantId);
    if (tail && (tail.lastSeen < 0 || wake.sequence > tail.lastSeen)) void this.read(wake.tenantId, tail);
  }

  /** Reads the tenant's records after the last seen until there are no more; a wake-up meanwhile reads again. */
  private async read(tenantId: string, tail: TenantTail): Promise<void> {
    if (tail.reading || tail.lastSeen < 0) {
      tail.again = true;
      return;
    }
    tail.reading = true;
    try {
      do {
        tail.again = false;
        for (;;) {
          const page = await this.store.readChanges({ tenantId, afterSequence: tail.lastSeen, order: 'asc', limit: FEED_PAGE });
          const records = wholeChangeSets(page, FEED_PAGE);
          if (records.length === 0) break;
          tail.lastSeen = records.at(-1)!.sequence;
          for (const deliver of subscribersOf(tail, records)) deliver(records);
          // Subscribers go through change sets one at a time; reading each set's call now, all at once, keeps
          // a round trip per set (PostgreSQL) from adding up to a backlog behind a burst of writes.
          for (const set of changeSetsOf(records)) {
            if (tail.everyCall.size > 0 || tail.byCall.has(set[0]!.callId)) this.callAfter(tenantId, set).catch(() => {});
          }
          if (page.length < FEED_PAGE) break;
        }
      } while (tail.again && this.tenants.get(tenantId) === tail);
    } catch (error) {
      this.onError(error);
      // The database may be back soon; the next wake-up would also read, but on PostgreSQL none may come.
      setTimeout(() => {
        if (this.tenants.get(tenantId) === tail) void this.read(tenantId, tail);
      }, RETRY_MS).unref();
    } finally {
      tail.reading = false;
    }
  }
}

/** The tail's subscribers with an interest in any of these records, each once. */
function subscribersOf(tail: TenantTail, records: ChangeRecord[]): Iterable<Deliver> {
  if (tail.byCall.size === 0) return tail.everyCall;
  const concerned = new Set(tail.everyCall);
  let callId: string | undefined;
  for (const record of records) {
    if (record.callId === callId) continue;
    callId = record.callId;
    for (const deliver of tail.byCall.get(callId) ?? []) concerned.add(deliver);
  }
  return concerned;
}
