import { disableReason } from '../core/webhooks.js';
import type { WebhookAttemptResult, WebhookDeliveryRecord } from './webhook-store.js';

/** A delivery row as both adapters read it (their column types agree). */
type DeliveryRow = Omit<WebhookDeliveryRecord, 'attempts'> & Record<string, unknown>;

interface AttemptRow {
  deliveryId: string;
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/** Delivery rows as the port's records, each with its attempts (given in attempt order). */
export function deliveryRecords(rows: readonly DeliveryRow[], attempts: readonly AttemptRow[]): WebhookDeliveryRecord[] {
  return rows.map((r) => ({
    id: r.id,
    endpointId: r.endpointId,
    eventId: r.eventId,
    callId: r.callId,
    sequence: r.sequence,
    status: r.status,
    nextAttemptAt: r.nextAttemptAt,
    lastError: r.lastError,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    attempts: attempts
      .filter((a) => a.deliveryId === r.id)
      .map((a) => ({ attempt: a.attempt, startedAt: a.startedAt, durationMs: a.durationMs, statusCode: a.statusCode, error: a.error })),
  }));
}

/**
 * What an attempt does to its endpoint's failing streak: a success ends it, a
 * failure starts or continues it, and a streak as long as the retry window
 * disables the endpoint with the reason. null when the endpoint stays as it is.
 */
export function endpointAfterAttempt(
  failingSince: string | null,
  attempt: Pick<WebhookAttemptResult, 'outcome' | 'startedAt' | 'now' | 'retryWindowMs'>,
): { failingSince: string | null } | { failingSince: string; enabled: false; disabledReason: string; updatedAt: string } | null {
  if (attempt.outcome === 'delivered') return failingSince === null ? null : { failingSince: null };
  const since = failingSince ?? attempt.startedAt;
  const reason = disableReason(since, attempt.now, attempt.retryWindowMs);
  return reason ? { failingSince: since, enabled: false, disabledReason: reason, updatedAt: attempt.now } : { failingSince: since };
}
