import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliOrigin, type ChangeRecord } from '../../src/core/change-log.js';
import { decideImportedValues } from '../../src/core/change-set.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { startCliServer } from '../support/cli.js';
import {
  checkDatabaseFile,
  createStoreDatabase,
  DURABILITY_FIELDS,
  randomWrite,
  restBody,
  seededRandom,
  type Write,
} from '../support/durability-harness.js';

/**
 * The change log survives a crash with its values (issue 18): the real
 * `callgate serve` on SQLite (group commit on) is killed with SIGKILL while
 * 20 PUTs are in flight, then restarted on the same file. For every call,
 * replaying its records in sequence order gives exactly its stored values,
 * each record's old value is the value before it, and no record is newer than
 * the call: a value change never lands without its record, nor a record
 * without its change.
 */

const SEED = Number(process.env.CRASH_SEED ?? 0x18c4a5);
const CYCLES = 2;
const CALLS = 40;
/** Calls imported with values, so their history starts with import records. */
const SEEDED_CALLS = 10;
const IN_FLIGHT = 20;

type Server = ReturnType<typeof startCliServer>;

interface Stored {
  version: number;
  values: Record<string, string>;
}

/** Every call's stored values and every record of the log, read from the file by a store of its own. */
async function readBack(db: string, callIds: readonly string[]): Promise<{ calls: Map<string, Stored>; records: ChangeRecord[] }> {
  const store = new SqliteCallStore({ path: db });
  try {
    const tenant = (await store.findTenantByName('default'))!;
    const calls = new Map<string, Stored>();
    for (const id of callIds) {
      const found = (await store.getCall(tenant.id, id))!;
      calls.set(id, { version: found.call.version, values: Object.fromEntries(found.customFields.map((v) => [v.fieldId, v.value])) });
    }
    const records: ChangeRecord[] = [];
    for (let page: ChangeRecord[] = []; ; ) {
      page = await store.readChanges({ tenantId: tenant.id, afterSequence: records.at(-1)?.sequence ?? 0, order: 'asc', limit: 500 });
      if (page.length === 0) break;
      records.push(...page);
    }
    return { calls, records };
  } finally {
    await store.close();
  }
}

/** What is wrong with a call's records against its stored state; empty when they agree. */
function checkHistory(callId: string, stored: Stored, records: readonly ChangeRecord[]): string[] {
  const problems: string[] = [];
  const replayed: Record<string, string> = {};
  let lastVersion = 0;
  for (const r of records) {
    if (r.oldValue !== (replayed[r.fieldId] ?? null)) problems.push(`${callId} #${r.sequence}: old value ${JSON.stringify(r.oldValue)}, replay has ${JSON.stringify(replayed[r.fieldId] ?? null)}`);
    if (r.callVersion < lastVersion) problems.push(`${callId} #${r.sequence}: version ${r.callVersion} after ${lastVersion}`);
    lastVersion = r.callVersion;
    if (r.newValue === null) delete replayed[r.fieldId];
    else replayed[r.fieldId] = r.newValue;
  }
  if (JSON.stringify(Object.entries(replayed).sort()) !== JSON.stringify(Object.entries(stored.values).sort())) {
    problems.push(`${callId}: replay gives ${JSON.stringify(replayed)}, stored ${JSON.stringify(stored.values)}`);
  }
  if (lastVersion > stored.version) problems.push(`${callId}: a record at version ${lastVersion}, the call is at ${stored.version}`);
  return problems;
}

describe('kill -9 of the real server during writes: the change log and the values agree (SQLite, group commit on)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-log-crash-'));
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the oracle itself rejects a value without its record, a record without its value and a record ahead of the call', () => {
    const record = (sequence: number, fieldId: string, oldValue: string | null, newValue: string | null, callVersion: number): ChangeRecord => ({
      sequence, changeSetId: `set${callVersion}`, callId: 'c', fieldId, fieldName: fieldId, kind: newValue === null ? 'cleared' : 'set',
      oldValue, newValue, callVersion, actor: null, channel: 'rest', requestId: null, clientAddress: null, committedAt: '2026-01-01T00:00:00.000Z',
    });
    const log = [record(1, 'a', null, 'x', 1), record(2, 'a', 'x', 'y', 2), record(3, 'b', null, 'z', 2)];
    expect(checkHistory('c', { version: 3, values: { a: 'y', b: 'z' } }, log)).toEqual([]);
    // the last change committed without its record
    expect(checkHistory('c', { version: 3, values: { a: 'w', b: 'z' } }, log)).not.toEqual([]);
    // a record whose change is not stored
    expect(checkHistory('c', { version: 2, values: { a: 'x', b: 'z' } }, log)).not.toEqual([]);
    // a record lost in the middle: the next one's old value gives it away
    expect(checkHistory('c', { version: 3, values: { a: 'y', b: 'z' } }, [log[1]!, log[2]!])).not.toEqual([]);
    // a record at a version the call never reached
    expect(checkHistory('c', { version: 1, values: { a: 'y', b: 'z' } }, log)).not.toEqual([]);
  });

  it(`after ${CYCLES} SIGKILLs with ${IN_FLIGHT} PUTs in flight, every call's records replay to its values`, async () => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const { db, token, callIds: plain } = await createStoreDatabase(dir, CALLS - SEEDED_CALLS);
    const seeded = Array.from({ length: SEEDED_CALLS }, () => randomUUID());
    {
      const store = new SqliteCallStore({ path: db });
      const tenant = (await store.findTenantByName('default'))!;
      await store.importCalls({
        tenantId: tenant.id,
        now: new Date().toISOString(),
        origin: cliOrigin('import'),
        decide: decideImportedValues,
        calls: seeded.map((callId, i) => ({
          call: { callId, setupTime: new Date().toISOString(), fromNumber: '+1', toNumber: '+2', direction: 'inbound' as const, duration: i },
          customFields: [{ fieldId: DURABILITY_FIELDS[0]!.id, value: `seeded ${i}` }, { fieldId: DURABILITY_FIELDS[1]!.id, value: String(i) }],
        })),
      });
      await store.close();
    }
    const callIds = [...plain, ...seeded];

    /** Values only acknowledged writes set (each is unique to its request): each must have its record. */
    const acknowledgedValues: { callId: string; fieldId: string; value: string }[] = [];
    let seq = 1;
    const summary: string[] = [];

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const server = startCliServer(['--db', db]);
      servers.push(server);
      const url = await server.url;
      const killAfter = 80 + random.int(80);
      const busy = new Set<string>();
      let acknowledged = 0;
      let killed = false;
      let inflightAtKill = 0;
      const failures: string[] = [];
      const worker = async () => {
        while (!killed) {
          const callId = random.pick(callIds.filter((id) => !busy.has(id)));
          busy.add(callId);
          const n = seq++;
          const write: Write = randomWrite(`c${cycle}-w${n}`, n, random, DURABILITY_FIELDS, 1 + random.int(3), 0.2);
          let response: Response;
          try {
            response = await fetch(`${url}/api/v2/calls/${callId}.json`, {
              method: 'PUT',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: restBody(write, random),
            });
          } catch (error) {
            if (!killed) failures.push(`PUT ${callId} failed before the kill: ${String((error as Error).cause ?? error)}`);
            return;
          }
          if (response.status !== 200) {
            failures.push(`PUT ${callId} answered ${response.status}`);
            return;
          }
          for (const [fieldId, value] of Object.entries(write.changes)) {
            // option values repeat across requests; text, number and date values name their request
            if (value !== null && fieldId !== DURABILITY_FIELDS[3]!.id) acknowledgedValues.push({ callId, fieldId, value });
          }
          if (++acknowledged >= killAfter && !killed) {
            killed = true;
            server.child.kill('SIGKILL');
            inflightAtKill = busy.size - 1;
          }
          await response.arrayBuffer().catch(() => undefined);
          busy.delete(callId);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      expect(failures, `cycle ${cycle} (seed ${SEED})`).toEqual([]);
      await server.exited;
      expect(server.child.signalCode).toBe('SIGKILL');
      expect(inflightAtKill).toBeGreaterThan(0);
      summary.push(`${acknowledged} acked, ${inflightAtKill} in flight at the kill`);

      // the restart recovers the file; the server must come up on it
      const restarted = startCliServer(['--db', db]);
      servers.push(restarted);
      await restarted.url;
      expect(checkDatabaseFile(db)).toEqual({ integrity: 'ok', foreignKeyViolations: 0 });

      const { calls, records } = await readBack(db, callIds);
      expect(records.map((r) => r.sequence), 'sequences 1..N').toEqual(records.map((_, i) => i + 1));
      const problems = callIds.flatMap((id) => checkHistory(id, calls.get(id)!, records.filter((r) => r.callId === id)));
      expect(problems, `cycle ${cycle} (seed ${SEED})`).toEqual([]);
      const recorded = new Set(records.map((r) => `${r.callId} ${r.fieldId} ${r.newValue}`));
      expect(acknowledgedValues.filter((a) => !recorded.has(`${a.callId} ${a.fieldId} ${a.value}`)), 'acknowledged values without a record').toEqual([]);
      expect(records.filter((r) => r.channel === 'import').length).toBe(2 * SEEDED_CALLS);
      summary[summary.length - 1] += `, log ${records.length} records`;

      restarted.child.kill('SIGTERM');
      expect(await restarted.exited).toBe(0);
    }
    console.log(`[change-log-crash] seed=${SEED} ${summary.join('; ')}; ${Date.now() - started} ms`);
  }, 60_000);
});
