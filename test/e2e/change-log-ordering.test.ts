import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/core/change-log.js';
import { decideImportedValues } from '../../src/core/change-set.js';
import { startCliServer } from '../support/cli.js';
import { freshSchema, onCleanup, onPostgres, POSTGRES_ONLY } from '../support/database.js';
import { createWorld, FIELD, NOW } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

/**
 * The change feed's promise (issue 18) on PostgreSQL with two instances: a
 * reader that pages with `afterSequence` from 0 while 20 writers change
 * values through both instances sees every record exactly once, in order,
 * never a gap. A sequence handed out before the tenant's lock at commit
 * would let a record with a smaller number commit after a reader has moved
 * past it; this reader would then see a jump and end with a hole.
 */

const WRITERS = 20;
const WRITE_MS = 4000;
const CALLS = 20;
const PAGE = 50;
/** The world's own import records the first call's three values: sequences 1-3. */
const SEEDED_RECORDS = 3;
const WRITABLE = [
  { fieldId: FIELD.callType, name: 'Call type', value: (w: number, n: number) => `w${w}-${n}` },
  { fieldId: FIELD.amount, name: 'Amount', value: (w: number, n: number) => `${w}.${n}` },
] as const;

const callId = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;

describe.skipIf(!onPostgres)(`the change feed with two callgate instances and ${WRITERS} writers ${POSTGRES_ONLY}`, () => {
  it('a reader paging by sequence sees every record once, in order, without a gap, and the last records give the stored values', async () => {
    const { url } = await freshSchema();
    const world = await createWorld({ url });
    await world.store.importCalls({
      origin: TEST_ORIGIN,
      tenantId: world.tenantId,
      now: NOW,
      decide: decideImportedValues,
      calls: Array.from({ length: CALLS }, (_, n) => ({
        call: { callId: callId(n), setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound' as const, duration: n },
        customFields: [],
      })),
    });

    const servers = [startCliServer(['--db', url]), startCliServer(['--db', url])];
    for (const server of servers) onCleanup(() => void server.child.kill('SIGKILL'));
    const urls = await Promise.all(servers.map((s) => s.url));

    /** Each acknowledged value change: call, field and its (unique) value. */
    const acknowledged: { callId: string; fieldId: string; value: string }[] = [];
    const failures: string[] = [];
    let writing = true;

    const writer = async (w: number) => {
      const base = urls[w % 2]!;
      for (let n = 0; writing; n++) {
        const target = callId((w * 7 + n * 13) % CALLS);
        const fields = n % 3 === 0 ? WRITABLE : [WRITABLE[(w + n) % 2]!];
        const entries = fields.map((f) => ({ fieldId: f.fieldId, name: f.name, value: f.value(w, n) }));
        const response = await fetch(`${base}/api/v2/calls/${target}.json`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${world.tokens.editor}`, 'content-type': 'application/json' },
          // by name on one instance and by id on the other: both are the vendor's references
          body: JSON.stringify({ call: { custom_fields: entries.map((e) => (w % 2 ? { name: e.name, value: e.value } : { field_id: e.fieldId, value: e.value })) } }),
        });
        const text = await response.text();
        if (response.status !== 200) failures.push(`writer ${w}: ${response.status} ${text}`);
        else for (const e of entries) acknowledged.push({ callId: target, fieldId: e.fieldId, value: e.value });
      }
    };

    const seen: ChangeRecord[] = [];
    const jumps: string[] = [];
    let pages = 0;
    const reader = async () => {
      let last = 0;
      for (;;) {
        // Taken before the page is read: every write was acknowledged after its COMMIT, so an empty page read
        // after the last writer stopped is the end of the log.
        const finished = !writing && writersActive === 0;
        const page = await world.store.readChanges({ tenantId: world.tenantId, afterSequence: last, order: 'asc', limit: PAGE });
        pages++;
        for (const record of page) {
          if (record.sequence !== last + 1) jumps.push(`after ${last} came ${record.sequence}`);
          last = record.sequence;
          seen.push(record);
        }
        if (page.length === 0 && finished) return;
        if (page.length < PAGE) await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };

    let writersActive = WRITERS;
    const readerDone = reader();
    const started = performance.now();
    const timer = setTimeout(() => (writing = false), WRITE_MS);
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w).finally(() => writersActive--)));
    clearTimeout(timer);
    const seconds = (performance.now() - started) / 1000;
    await readerDone;

    expect(failures).toEqual([]);
    expect(jumps).toEqual([]);
    const n = SEEDED_RECORDS + acknowledged.length;
    expect(seen.map((r) => r.sequence)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // every acknowledged change is one record, carrying its call, field and value (values are unique)
    const recorded = new Map(seen.slice(SEEDED_RECORDS).map((r) => [`${r.callId} ${r.fieldId} ${r.newValue}`, r]));
    expect(recorded.size).toBe(acknowledged.length);
    expect(acknowledged.filter((a) => !recorded.has(`${a.callId} ${a.fieldId} ${a.value}`))).toEqual([]);
    expect(seen.slice(SEEDED_RECORDS).every((r) => r.channel === 'rest' && r.actor?.username === 'editor' && r.kind === 'set')).toBe(true);

    // replaying the feed per (call, field) gives the stored values; the last record's version is the call's
    for (let i = 0; i < CALLS; i++) {
      const found = (await world.store.getCall(world.tenantId, callId(i)))!;
      const onCall = seen.filter((r) => r.callId === callId(i));
      const replayed: Record<string, string> = {};
      for (const r of onCall) {
        if (r.newValue === null) delete replayed[r.fieldId];
        else replayed[r.fieldId] = r.newValue;
      }
      expect(Object.fromEntries(found.customFields.map((v) => [v.fieldId, v.value])), `call ${i}`).toEqual(replayed);
      expect(onCall.at(-1)?.callVersion ?? 1, `version of call ${i}`).toBe(found.call.version);
      // old values chain: each record's old value is the previous record's new value for that field
      const previous = new Map<string, string | null>();
      for (const r of onCall) {
        expect(r.oldValue, `call ${i} sequence ${r.sequence}`).toBe(previous.get(r.fieldId) ?? null);
        previous.set(r.fieldId, r.newValue);
      }
    }
    console.log(
      `[change-log-ordering] ${acknowledged.length} value changes by ${WRITERS} writers through 2 instances in ${seconds.toFixed(1)} s; ` +
        `reader saw ${seen.length} records in ${pages} pages of at most ${PAGE}`,
    );
    for (const server of servers) expect(server.child.exitCode).toBeNull();
  }, 120_000);
});
