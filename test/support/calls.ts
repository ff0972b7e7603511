import type { Direction } from '../../src/core/call.js';
import { decideImportedValues } from '../../src/core/change-set.js';
import type { CallStore } from '../../src/store/call-store.js';
import { NOW } from './fixtures.js';
import { TEST_ORIGIN } from './origin.js';

/** A deterministic call UUID for test call number n. */
export const callId = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export interface TestCall {
  n: number;
  setupTime?: string;
  duration?: number;
  fromNumber?: string;
  toNumber?: string;
  direction?: Direction;
  customFields?: { fieldId?: string; name?: string; value: string }[];
}

/** n minutes after 2026-02-01T00:00Z, so a higher n is a later call. */
export const minute = (n: number) => new Date(Date.UTC(2026, 1, 1) + n * 60_000).toISOString();

/** Imports calls into a tenant; each defaults to minute(n), duration n, numbers +1555000n -> +1666000n, inbound. */
export async function seedCalls(store: CallStore, tenantId: string, calls: TestCall[]): Promise<string[]> {
  await store.importCalls({ origin: TEST_ORIGIN,
    tenantId,
    now: NOW,
    decide: decideImportedValues,
    calls: calls.map((c) => ({
      call: {
        callId: callId(c.n),
        setupTime: c.setupTime ?? minute(c.n),
        fromNumber: c.fromNumber ?? `+1555000${c.n}`,
        toNumber: c.toNumber ?? `+1666000${c.n}`,
        direction: c.direction ?? 'inbound',
        duration: c.duration ?? c.n,
      },
      customFields: c.customFields ?? [],
    })),
  });
  return calls.map((c) => callId(c.n));
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
