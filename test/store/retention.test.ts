import { describe, expect, it, vi } from 'vitest';
import { decideImportedValues } from '../../src/core/change-set.js';
import { parseConfig } from '../../src/http/config.js';
import type { CallStore } from '../../src/store/call-store.js';
import { deleteExpiredChanges, startRetention, type RetentionLogger } from '../../src/store/retention.js';
import { STORE_UNDER_TEST } from '../support/database.js';
import { createWorld, FIELD, NOW, type World } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

const DAY_MS = 86_400_000;
const daysAfter = (instant: string, days: number) => new Date(Date.parse(instant) + days * DAY_MS).toISOString();
const LATER = daysAfter(NOW, 40);
const LATER_CALL = '44444444-4444-4444-8444-444444444444';

/** The world's 4 records (3 of "default", 1 of "other") are committed at NOW; this adds 2 committed at LATER. */
async function worldWithLaterRecords(): Promise<World> {
  const world = await createWorld();
  await world.store.importCalls({
    origin: TEST_ORIGIN,
    tenantId: world.tenantId,
    now: LATER,
    decide: decideImportedValues,
    calls: [
      {
        call: { callId: LATER_CALL, setupTime: LATER, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: 1 },
        customFields: [
          { fieldId: FIELD.callType, value: 'Sales call' },
          { fieldId: FIELD.notes, value: 'later' },
        ],
      },
    ],
  });
  return world;
}

async function committedTimes(world: World): Promise<string[]> {
  const rows = await world.sql('select committed_at from call_changes order by committed_at');
  return rows.map((row) => new Date(row.committed_at as string).toISOString());
}

function recordingLogger() {
  const lines: { level: 'info' | 'error'; details: Record<string, unknown>; message: string }[] = [];
  const logger: RetentionLogger = {
    info: (details, message) => void lines.push({ level: 'info', details, message }),
    error: (details, message) => void lines.push({ level: 'error', details, message }),
  };
  return { logger, lines };
}

describe('HISTORY_RETENTION_DAYS', () => {
  it('is unset (keep forever) by default and takes a whole number of days', () => {
    expect(parseConfig({}).historyRetentionDays).toBeNull();
    expect(parseConfig({ HISTORY_RETENTION_DAYS: '' }).historyRetentionDays).toBeNull();
    expect(parseConfig({ HISTORY_RETENTION_DAYS: '30' }).historyRetentionDays).toBe(30);
  });

  it.each(['0', '-1', '1.5', 'ten', '1e3', '36501'])('%j stops start-up naming the variable and what it accepts', (value) => {
    expect(() => parseConfig({ HISTORY_RETENTION_DAYS: value })).toThrow(
      `Invalid configuration: HISTORY_RETENTION_DAYS=${JSON.stringify(value)}: must be a whole number of days from 1 to 36500`,
    );
  });
});

describe(`change history retention (${STORE_UNDER_TEST})`, () => {
  it('deletes every record committed before the cutoff, of every tenant, batch after batch, and keeps the rest', async () => {
    const world = await worldWithLaterRecords();
    const batches: number[] = [];
    const store: Pick<CallStore, 'deleteChangesBefore'> = {
      deleteChangesBefore: async (before, batch) => {
        const deleted = await world.store.deleteChangesBefore(before, batch);
        batches.push(deleted);
        return deleted;
      },
    };
    const pause = vi.fn(async () => {});
    expect(await deleteExpiredChanges(store, daysAfter(NOW, 1), { batch: 2, pause })).toBe(4);
    expect(batches.reduce((a, b) => a + b)).toBe(4);
    expect(batches.at(-1)).toBeLessThan(2);
    expect(pause).toHaveBeenCalledTimes(batches.length - 1);
    expect(await committedTimes(world)).toEqual([LATER, LATER]);
    const other = await world.store.findTenantByName('other');
    expect(await world.store.readChanges({ tenantId: other!.id, order: 'asc', limit: 10 })).toEqual([]);
    const kept = await world.store.readChanges({ tenantId: world.tenantId, order: 'asc', limit: 10 });
    expect(kept.map((r) => r.newValue)).toEqual(['Sales call', 'later']);
  });

  it('stops between batches when asked to', async () => {
    const world = await worldWithLaterRecords();
    expect(await deleteExpiredChanges(world.store, daysAfter(NOW, 1), { batch: 1, stopped: () => true })).toBeLessThan(4);
    expect((await committedTimes(world)).length).toBeGreaterThan(2);
  });

  it('runs at start and again every interval against the clock of each run, logging counts, never values', async () => {
    const world = await worldWithLaterRecords();
    let now = new Date(daysAfter(NOW, 30.5));
    const { logger, lines } = recordingLogger();
    const job = startRetention({ store: world.store, days: 30, logger, clock: () => now, everyMs: 20 });
    try {
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0));
      expect(lines[0]).toEqual({ level: 'info', details: { deleted: 4, before: daysAfter(NOW, 0.5) }, message: expect.stringContaining('retention') });
      expect(await committedTimes(world)).toEqual([LATER, LATER]);

      now = new Date(daysAfter(LATER, 31));
      await vi.waitFor(() => expect(lines.some((line) => line.details.deleted === 2)).toBe(true));
      expect(await committedTimes(world)).toEqual([]);
      expect(JSON.stringify(lines)).not.toMatch(/Support call|keep me|immutable|hidden|Sales call|later"/);
    } finally {
      await job.stop();
    }
    const runs = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.length).toBe(runs);
  });

  it('logs a failed run and tries again at the next one', async () => {
    let calls = 0;
    const store: Pick<CallStore, 'deleteChangesBefore'> = {
      deleteChangesBefore: async () => {
        calls++;
        if (calls === 1) throw new Error('database is locked');
        return 0;
      },
    };
    const { logger, lines } = recordingLogger();
    const job = startRetention({ store, days: 1, logger, everyMs: 10 });
    try {
      await vi.waitFor(() => expect(lines.map((line) => line.level)).toEqual(expect.arrayContaining(['error', 'info'])));
      expect(lines[0]).toMatchObject({ level: 'error', details: { err: expect.objectContaining({ message: 'database is locked' }) } });
      expect(lines[1]).toMatchObject({ level: 'info', details: { deleted: 0 } });
    } finally {
      await job.stop();
    }
  });

  it('stop waits for a run in progress to end before the store may be closed', async () => {
    let release!: () => void;
    let finished = false;
    const store: Pick<CallStore, 'deleteChangesBefore'> = {
      deleteChangesBefore: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
        return 1000;
      },
    };
    const job = startRetention({ store, days: 1, logger: recordingLogger().logger });
    await vi.waitFor(() => expect(release).toBeDefined());
    const stopped = job.stop();
    release();
    await stopped;
    expect(finished).toBe(true);
  });
});
