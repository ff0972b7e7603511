import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer } from '../support/cli.js';
import {
  applyWrite,
  checkDatabaseFile,
  createCliDatabase,
  DURABILITY_FIELDS,
  errorLogLines,
  judgeRecoveredCall,
  randomWrite,
  readCalls,
  readCallsFromFile,
  restBody,
  seededRandom,
  type CallState,
  type CliDatabase,
  type Random,
  type Write,
} from '../support/durability-harness.js';

/**
 * Crash safety (issue 7): the real `callgate serve` (group commit on, the
 * default) is killed with SIGKILL while 20 PUTs are in flight, restarted on
 * the same file, and every call is compared with a model of the acknowledged
 * writes. Each call has at most one write in flight, so per call the
 * acknowledged writes are totally ordered; the recovered call must equal the
 * state after its last acknowledged write, or that state plus the one write
 * that was in flight (all of it, never part of it), with the version to match.
 */

const SEED = Number(process.env.CRASH_SEED ?? 0x0c4a54);
const CYCLES = 3;
const CALLS = 50;
const IN_FLIGHT = 20;

type Server = ReturnType<typeof startCliServer>;

interface CycleReport {
  sent: number;
  acknowledged: number;
  /** sent and not yet answered when the kill was sent */
  inflightAtKill: number;
  /** no answer ever came: may or may not have committed */
  unknownOutcome: number;
  unknownCommitted: number;
  failures: string[];
}

/**
 * Sends PUTs with IN_FLIGHT in flight until `killAfter` have been
 * acknowledged, then kills the server with SIGKILL at once, from inside the
 * handler of that response, so the others are still in flight. A 200 is an
 * acknowledgement even when its body is cut off by the kill: the server
 * answers only after COMMIT.
 */
async function streamUntilKilled(
  server: Server,
  url: string,
  token: string,
  callIds: readonly string[],
  model: Map<string, CallState>,
  random: Random,
  cycle: number,
  killAfter: number,
  seq: { next: number },
): Promise<CycleReport & { inflight: Map<string, Write> }> {
  const busy = new Set<string>();
  const inflight = new Map<string, Write>();
  const report: CycleReport = { sent: 0, acknowledged: 0, inflightAtKill: 0, unknownOutcome: 0, unknownCommitted: 0, failures: [] };
  let killed = false;

  const worker = async () => {
    while (!killed) {
      const callId = random.pick(callIds.filter((id) => !busy.has(id)));
      busy.add(callId);
      const n = seq.next++;
      const write = randomWrite(`c${cycle}-w${n}`, n, random, DURABILITY_FIELDS, 2 + random.int(2));
      inflight.set(callId, write);
      report.sent++;
      let response: Response;
      try {
        response = await fetch(`${url}/api/v2/calls/${callId}.json`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: restBody(write, random),
        });
      } catch (error) {
        if (!killed) report.failures.push(`PUT ${callId} failed before the kill: ${String((error as Error).cause ?? error)}`);
        return; // outcome unknown: stays in flight, and the call stays busy
      }
      if (response.status !== 200) {
        report.failures.push(`PUT ${callId} answered ${response.status}: ${await response.text().catch(() => '(body lost)')}`);
        return;
      }
      model.set(callId, applyWrite(model.get(callId)!, write));
      inflight.delete(callId);
      report.acknowledged++;
      if (report.acknowledged >= killAfter && !killed) {
        killed = true;
        server.child.kill('SIGKILL');
        report.inflightAtKill = inflight.size;
      }
      await response.arrayBuffer().catch(() => undefined);
      busy.delete(callId);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  report.unknownOutcome = inflight.size;
  return { ...report, inflight };
}

describe('kill -9 of the real server in the middle of concurrent PUTs (group commit on)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callgate-crash-'));
  const servers: Server[] = [];
  let setup: CliDatabase;

  const start = () => {
    const server = startCliServer(['--db', setup.db]);
    servers.push(server);
    return server;
  };

  let first: Server;
  beforeAll(async () => {
    // The first server starts while the fields, token and calls are still being created (each CLI
    // process loads the whole gateway; overlapping them saves seconds). No request reaches it before.
    setup = await createCliDatabase(dir, CALLS, {
      onMigrated: (db) => {
        first = startCliServer(['--db', db]);
        servers.push(first);
      },
    });
  }, 90_000);

  afterAll(() => {
    for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the oracle itself rejects a lost acknowledged write, a partial request and a phantom change', () => {
    const [tag, amount] = DURABILITY_FIELDS.map((f) => f.id) as [string, string];
    const acknowledged: CallState = { version: 3, values: { [tag]: 'c1-w7:Tag', [amount]: '7.07' } };
    const inflight: Write = { tag: 'c1-w9', changes: { [tag]: 'c1-w9:Tag', [amount]: null } };
    expect(judgeRecoveredCall(acknowledged, inflight, acknowledged)).toEqual({ ok: true, inflightApplied: false });
    expect(judgeRecoveredCall(acknowledged, inflight, applyWrite(acknowledged, inflight))).toEqual({ ok: true, inflightApplied: true });
    // the last acknowledged write lost (an older value, one version less)
    expect(judgeRecoveredCall(acknowledged, inflight, { version: 2, values: { [tag]: 'c1-w5:Tag', [amount]: '7.07' } }).ok).toBe(false);
    // an acknowledged write lost but a later one present: only the version tells
    expect(judgeRecoveredCall(acknowledged, undefined, { version: 2, values: acknowledged.values }).ok).toBe(false);
    // half of the in-flight request applied
    expect(judgeRecoveredCall(acknowledged, inflight, { version: 4, values: { [tag]: 'c1-w9:Tag', [amount]: '7.07' } }).ok).toBe(false);
    // a change nobody sent
    expect(judgeRecoveredCall(acknowledged, undefined, { version: 3, values: { ...acknowledged.values, x: 'y' } }).ok).toBe(false);
  });

  it(`survives ${CYCLES} SIGKILLs with 20 PUTs in flight: integrity ok, every acknowledged write present, no partial request`, async () => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const seq = { next: 1 };
    const { token, callIds } = setup;
    let model = new Map<string, CallState>(callIds.map((id) => [id, { version: 1, values: {} }]));
    let server = first;
    let url = await server.url;
    const reports: (CycleReport & { killAfter: number })[] = [];

    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const killAfter = 60 + random.int(140);
      const run = await streamUntilKilled(server, url, token, callIds, model, random, cycle, killAfter, seq);
      expect(run.failures, `cycle ${cycle} (seed ${SEED})`).toEqual([]);
      expect(await server.exited).toBe(null); // died of the signal, not of its own accord
      expect(server.child.signalCode).toBe('SIGKILL');
      expect(errorLogLines(server.stderr()), 'error lines in the log before the kill').toEqual([]);
      // the kill landed in the middle of the stream (answers already on the wire still count as acknowledged)
      expect(run.inflightAtKill).toBeGreaterThan(0);

      server = start();
      url = await server.url;
      const file = checkDatabaseFile(setup.db);
      expect(file, `cycle ${cycle}: database file after restart`).toEqual({ integrity: 'ok', foreignKeyViolations: 0 });

      const actual = await readCalls(url, token, callIds);
      const problems: string[] = [];
      let unknownCommitted = 0;
      for (const id of callIds) {
        const verdict = judgeRecoveredCall(model.get(id)!, run.inflight.get(id), actual.get(id)!);
        if (!verdict.ok) problems.push(`call ${id}: ${verdict.reason}`);
        else if (verdict.inflightApplied) unknownCommitted++;
      }
      expect(problems, `cycle ${cycle} (seed ${SEED}, kill after ${killAfter} acknowledgements)`).toEqual([]);
      reports.push({ ...run, unknownCommitted, killAfter });
      model = actual;
    }

    // a clean stop after the last recovery leaves a sound file holding the same data, read without a server
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(errorLogLines(server.stderr()), 'error lines in the log of the last server').toEqual([]);
    expect(checkDatabaseFile(setup.db)).toEqual({ integrity: 'ok', foreignKeyViolations: 0 });
    expect(await readCallsFromFile(setup.db, callIds)).toEqual(model);

    const checked = reports.reduce((n, r) => n + r.acknowledged, 0);
    console.log(
      `[crash] seed=${SEED} crashes survived=${reports.length} acknowledged writes checked=${checked} ` +
        `per crash=[${reports.map((r) => `${r.acknowledged} acked, ${r.inflightAtKill} in flight at the kill, ${r.unknownOutcome} never answered (${r.unknownCommitted} of them committed)`).join('; ')}] ` +
        `calls=${CALLS} setup=${setup.setupMs}ms crash cycles=${Date.now() - started}ms`,
    );
  }, 90_000);
});
