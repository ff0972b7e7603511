import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer } from '../support/cli.js';
import {
  checkDatabaseFile,
  createStoreDatabase,
  DURABILITY_FIELDS,
  errorLogLines,
  readCalls,
  restBody,
  seededRandom,
  taggedValue,
  type CliDatabase,
  type FieldSpec,
  type Random,
  type Write,
} from '../support/durability-harness.js';

/**
 * Two `callgate serve` processes on ONE SQLite file (WAL, busy_timeout 5000,
 * group commit on), both taking PUTs for the same calls at once. Server A
 * owns some fields, server B others, and both write the shared "Tag" field.
 * No client may see a 5xx (an SQLITE_BUSY that escaped the busy timeout),
 * no field may be lost, and each call's version must count its successful updates.
 */

const SEED = Number(process.env.WRITERS_SEED ?? 0x2b0b);
const CALLS = 12;
const PER_SERVER = 240;
const IN_FLIGHT = 10;

type Server = ReturnType<typeof startCliServer>;
const field = (name: string) => DURABILITY_FIELDS.find((f) => f.name === name)!;
const SHARED = field('Tag');
const OWNED: Record<'A' | 'B', FieldSpec[]> = { A: [field('Amount'), field('Status')], B: [field('Follow-up')] };

interface WriterLog {
  statuses: Map<number, number>;
  failures: string[];
  /** per call: successful updates, and the last value this writer set (or cleared) per field */
  successes: Map<string, number>;
  last: Map<string, Record<string, string | null>>;
}

/** One server's stream: IN_FLIGHT workers, at most one write per call in flight from this writer. */
async function writeThrough(
  name: 'A' | 'B',
  url: string,
  token: string,
  callIds: readonly string[],
  random: Random,
  seq: { next: number },
): Promise<WriterLog> {
  const log: WriterLog = { statuses: new Map(), failures: [], successes: new Map(), last: new Map() };
  const busy = new Set<string>();
  let remaining = PER_SERVER;
  const worker = async () => {
    while (remaining > 0) {
      const idle = callIds.filter((id) => !busy.has(id));
      if (idle.length === 0) return;
      remaining--;
      const callId = random.pick(idle);
      busy.add(callId);
      const n = seq.next++;
      const write: Write = { tag: `${name}${n}`, changes: {} };
      for (const f of OWNED[name]) write.changes[f.id] = random.next() < 0.1 ? null : taggedValue(f, `${name}${n}`, n, random);
      if (random.next() < 0.5) write.changes[SHARED.id] = taggedValue(SHARED, `${name}${n}`, n, random);
      let response: Response;
      try {
        response = await fetch(`${url}/api/v2/calls/${callId}.json`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: restBody(write, random),
        });
      } catch (error) {
        log.failures.push(`${name}: PUT ${callId} failed: ${String((error as Error).cause ?? error)}`);
        return;
      }
      const text = await response.text();
      log.statuses.set(response.status, (log.statuses.get(response.status) ?? 0) + 1);
      if (response.status !== 200) {
        log.failures.push(`${name}: PUT ${callId} answered ${response.status}: ${text.slice(0, 300)}`);
      } else {
        log.successes.set(callId, (log.successes.get(callId) ?? 0) + 1);
        log.last.set(callId, { ...log.last.get(callId), ...write.changes });
      }
      busy.delete(callId);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return log;
}

describe('two server processes writing to one SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-writers-'));
  const servers: Server[] = [];
  let setup: CliDatabase;

  // The subject here is the servers; the CLI set-up is exercised by crash.test.ts, so this file saves its processes.
  beforeAll(async () => {
    setup = await createStoreDatabase(dir, CALLS);
  }, 60_000);

  afterAll(() => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers no 5xx, loses no field, and counts every successful update in the version', async () => {
    const started = Date.now();
    const a = startCliServer(['--db', setup.db]);
    const b = startCliServer(['--db', setup.db]);
    servers.push(a, b);
    const [urlA, urlB] = await Promise.all([a.url, b.url]);
    const { token, callIds } = setup;
    const seq = { next: 1 };
    const [logA, logB] = await Promise.all([
      writeThrough('A', urlA, token, callIds, seededRandom(SEED), seq),
      writeThrough('B', urlB, token, callIds, seededRandom(SEED + 1), seq),
    ]);
    const writeMs = Date.now() - started;

    const statuses = (log: WriterLog) => Object.fromEntries(log.statuses);
    expect([...logA.statuses.keys(), ...logB.statuses.keys()].filter((s) => s >= 500), 'no 5xx').toEqual([]);
    expect([...logA.failures, ...logB.failures]).toEqual([]);
    expect(statuses(logA)).toEqual({ 200: PER_SERVER });
    expect(statuses(logB)).toEqual({ 200: PER_SERVER });
    for (const s of [a, b]) expect(errorLogLines(s.stderr()), 'error lines in a server log').toEqual([]);

    const [viaA, viaB] = await Promise.all([readCalls(urlA, token, callIds), readCalls(urlB, token, callIds)]);
    expect(viaB, 'both servers read the same data').toEqual(viaA);
    const problems: string[] = [];
    for (const id of callIds) {
      const actual = viaA.get(id)!;
      const updates = (logA.successes.get(id) ?? 0) + (logB.successes.get(id) ?? 0);
      if (actual.version !== 1 + updates) problems.push(`call ${id}: version ${actual.version}, expected 1 + ${updates} successful updates`);
      for (const [writer, log] of [['A', logA], ['B', logB]] as const) {
        const last = log.last.get(id) ?? {};
        for (const f of OWNED[writer]) {
          const expected = f.id in last ? last[f.id] : null;
          if ((actual.values[f.id] ?? null) !== expected) {
            problems.push(`call ${id}: ${f.name} (only ${writer} writes it) is ${JSON.stringify(actual.values[f.id] ?? null)}, ${writer} last wrote ${JSON.stringify(expected)}`);
          }
        }
      }
      // the shared field holds the last value one of the two writers set, or nothing if neither did
      const candidates = [logA, logB].map((log) => log.last.get(id)?.[SHARED.id]).filter((v): v is string => v !== undefined && v !== null);
      const shared = actual.values[SHARED.id];
      if (candidates.length === 0 ? shared !== undefined : !candidates.includes(shared!)) {
        problems.push(`call ${id}: Tag is ${JSON.stringify(shared)}, expected one of ${JSON.stringify(candidates)}`);
      }
    }
    expect(problems).toEqual([]);

    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    expect(checkDatabaseFile(setup.db)).toEqual({ integrity: 'ok', foreignKeyViolations: 0 });
    console.log(
      `[writers] seed=${SEED} two servers, ${CALLS} shared calls, ${2 * PER_SERVER} PUTs (${IN_FLIGHT} in flight per server) in ${writeMs}ms, ` +
        `statuses A=${JSON.stringify(statuses(logA))} B=${JSON.stringify(statuses(logB))}, setup=${setup.setupMs}ms`,
    );
  }, 90_000);
});
