import type { FieldFilter } from '../core/webhooks.js';

/**
 * The webhook port: endpoints (their secrets sealed at rest), and the
 * deliveries made from the change log with their attempts. Adapters seal and
 * open secrets with the key they are given (store/webhook-secrets.ts).
 */

export interface WebhookEndpointRecord {
  id: string;
  tenantId: string;
  url: string;
  enabled: boolean;
  /** Field ids, or null for every field. */
  fields: FieldFilter;
  disabledReason: string | null;
  failingSince: string | null;
  /** The change log sequence up to which deliveries have been made. */
  cursorSequence: number;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttemptRecord {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  callId: string | null;
  sequence: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: WebhookAttemptRecord[];
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface NewWebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  enabled: boolean;
  fields: FieldFilter;
  secret: string;
  now: string;
}

export interface WebhookEndpointChange {
  url?: string;
  enabled?: boolean;
  fields?: FieldFilter;
}

/** A delivery made from the log, before its first attempt. */
export interface NewWebhookDelivery {
  id: string;
  eventId: string;
  callId: string | null;
  sequence: number;
  payload: string;
}

/** A delivery an instance has claimed (leased) to attempt now. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  url: string;
  eventId: string;
  payload: string;
  /** Attempts made before this one. */
  attempts: number;
  createdAt: string;
}

/** What one attempt came to. */
export interface WebhookAttemptResult {
  deliveryId: string;
  endpointId: string;
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  /** delivered; pending again at nextAttemptAt; or failed for good. */
  outcome: 'delivered' | 'retry' | 'failed';
  nextAttemptAt: string;
  now: string;
  /** Whether the endpoint's failing streak has lasted the whole retry window (see core disableReason). */
  retryWindowMs: number;
}

export interface WebhookStore {
  /** Creates an endpoint whose cursor is the tenant's log head: it receives changes made from now on. */
  createEndpoint(endpoint: NewWebhookEndpoint): Promise<WebhookEndpointRecord>;
  listEndpoints(tenantId: string): Promise<WebhookEndpointRecord[]>;
  /** null for an unknown id or another tenant's endpoint. */
  getEndpoint(tenantId: string, id: string): Promise<WebhookEndpointRecord | null>;
  /** Enabling clears the disabled reason and the failing streak. null when there is no such endpoint. */
  updateEndpoint(tenantId: string, id: string, change: WebhookEndpointChange, now: string): Promise<WebhookEndpointRecord | null>;
  /** Deletes the endpoint with its deliveries; false when there was none. */
  deleteEndpoint(tenantId: string, id: string): Promise<boolean>;
  /** Makes `secret` the signing secret; the current one keeps signing until `previousUntil`. */
  rotateSecret(tenantId: string, id: string, secret: string, previousUntil: string, now: string): Promise<WebhookEndpointRecord | null>;
  /** The secrets that sign now: the current one first, then the previous one while its rotation lasts. */
  signingSecrets(endpointId: string, now: string): Promise<string[]>;
  /** An endpoint's deliveries, newest first, after the delivery `after` (an id; UnknownDeliveryCursor when it is none of the endpoint's), with their attempts. */
  listDeliveries(tenantId: string, endpointId: string, page: { first: number; after?: string | undefined }): Promise<WebhookDeliveryRecord[]>;

  /** Enabled endpoints of every tenant (the worker's feed). */
  enabledEndpoints(): Promise<WebhookEndpointRecord[]>;
  /** Inserts deliveries (again is a no-op) and moves the endpoint's cursor to `cursor`, in one transaction. */
  enqueue(endpointId: string, deliveries: readonly NewWebhookDelivery[], cursor: number, now: string): Promise<void>;
  /**
   * Leases up to `limit` due deliveries of enabled endpoints until `leaseUntil`:
   * pending, due, not leased (or the lease expired), and the earliest
   * unfinished one of its call for its endpoint (per-call order).
   */
  claimDue(owner: string, now: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]>;
  /** Records an attempt and its outcome; a failure starts or continues the endpoint's failing streak, a success ends it; a streak as long as the retry window disables the endpoint. */
  recordAttempt(result: WebhookAttemptResult): Promise<void>;
  /** Makes a delivery of the tenant pending again, due now (its attempts kept); null when there is none. */
  redeliver(tenantId: string, deliveryId: string, now: string): Promise<WebhookDeliveryRecord | null>;
  /**
   * Queues a test event for an endpoint of the tenant, due now: test events are numbered 1, 2, ... per
   * endpoint, and `event` makes the event id and payload for the number. null when there is no such endpoint.
   */
  queueTestEvent(tenantId: string, endpointId: string, now: string, event: (number: number) => { eventId: string; payload: string }): Promise<WebhookDeliveryRecord | null>;
  /** Per endpoint (enabled or not): how many deliveries are pending and when the oldest of them was queued (the metrics' lag). */
  backlog(): Promise<WebhookBacklog[]>;
}

/** A page of deliveries was asked for after a delivery the endpoint does not have. */
export class UnknownDeliveryCursor extends Error {
  constructor(readonly cursor: string) {
    super(`after: "${cursor}" is not a delivery of this endpoint`);
    this.name = 'UnknownDeliveryCursor';
  }
}

export interface WebhookBacklog {
  endpointId: string;
  pending: number;
  /** When the oldest pending delivery was queued; null when none is pending. */
  oldestPendingAt: string | null;
}
