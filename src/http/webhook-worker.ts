import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  changeSetsOf,
  isDelivered,
  retryDelayMs,
  retryWindowOver,
  valuesBefore,
  WEBHOOK_DEFAULTS,
  webhookEvent,
  type CallAfter,
  type UrlPolicy,
} from '../core/webhooks.js';
import type { ChangeRecord } from '../core/change-log.js';
import type { CallStore } from '../store/call-store.js';
import { checkWebhookUrlResolved, type Lookup } from '../store/webhook-url.js';
import type { ClaimedDelivery, NewWebhookDelivery, WebhookStore } from '../store/webhook-store.js';

/**
 * Delivers the change log to webhook endpoints, at least once: turns each
 * endpoint's new change sets into deliveries (moving its cursor in the same
 * transaction), then claims due deliveries with a lease, POSTs them signed
 * (Standard Webhooks) and records every attempt. A crash before an attempt
 * is recorded leaves the lease to expire and the delivery to be sent again.
 */
export interface WebhookWorkerOptions {
  store: CallStore;
  webhooks: WebhookStore;
  policy: UrlPolicy;
  timeoutMs?: number;
  retryWindowMs?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** How often to look for work when nothing wakes the worker. */
  pollMs?: number;
  concurrency?: number;
  lookup?: Lookup;
  random?: () => number;
  onError?: (error: unknown) => void;
  /** Told every recorded attempt's outcome and duration (metrics). */
  onAttempt?: (outcome: 'delivered' | 'retry' | 'failed', seconds: number) => void;
}

const READ_LIMIT = 500;
/** How long an endpoint's signing secrets are reused before being read (and unsealed) again; a rotation keeps the old one signing far longer. */
const SECRETS_TTL_MS = 5_000;

export class WebhookWorker {
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private again = false;
  private unwatch: (() => Promise<void>) | undefined;
  /** Whether the last round found an enabled endpoint; until one is created, writes do not wake the worker (the poll finds it). */
  private anyEndpoint = true;
  /** Each endpoint's signers (one per signing secret), read at most every SECRETS_TTL_MS. */
  private readonly signers = new Map<string, { webhooks: Webhook[]; until: number }>();

  constructor(private readonly options: WebhookWorkerOptions) {}

  start(): void {
    this.unwatch = this.options.store.watchChanges(() => {
      if (this.anyEndpoint) this.wake();
    });
    this.wake();
  }

  /** Runs a round now (or right after the current one). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.round()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else this.timer = setTimeout(() => this.wake(), this.options.pollMs ?? 1000);
      });
  }

  /** Stops taking work and waits for the attempts under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.unwatch?.();
    await this.running;
  }

  /** One round: feed every endpoint from the log, then attempt what is due until nothing is. */
  async round(): Promise<void> {
    const endpoints = await this.options.webhooks.enabledEndpoints();
    this.anyEndpoint = endpoints.length > 0;
    // Without an enabled endpoint nothing is fed, and what is left to retry waits for the next poll.
    if (!this.anyEndpoint) return;
    for (const endpoint of endpoints) await this.feed(endpoint.id, endpoint.tenantId, endpoint.fields, endpoint.cursorSequence);
    const timeoutMs = this.options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs;
    for (;;) {
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + timeoutMs * 2 + 5000).toISOString();
      const claimed = await this.options.webhooks.claimDue(this.owner, now.toISOString(), leaseUntil, this.options.concurrency ?? 16);
      if (claimed.length === 0 || this.stopped) return;
      await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    }
  }

  private async feed(endpointId: string, tenantId: string, fields: readonly string[] | null, cursor: number): Promise<void> {
    for (;;) {
      const records = await this.options.store.readChanges({ tenantId, order: 'asc', afterSequence: cursor, limit: READ_LIMIT });
      if (records.length === 0) return;
      let sets = changeSetsOf(records);
      // A full page may end inside a change set: keep its last set for the next read.
      if (records.length === READ_LIMIT && sets.length > 1) sets = sets.slice(0, -1);
      const deliveries: NewWebhookDelivery[] = [];
      for (const set of sets) {
        const first = set[0]!;
        const event = webhookEvent(endpointId, tenantId, fields, set, await this.callAfter(tenantId, set));
        if (event) deliveries.push({ id: randomUUID(), eventId: event.id, callId: event.call_id, sequence: first.sequence, payload: JSON.stringify(event) });
      }
      const last = sets[sets.length - 1]!;
      cursor = last[last.length - 1]!.sequence;
      await this.options.webhooks.enqueue(endpointId, deliveries, cursor, new Date().toISOString());
      if (records.length < READ_LIMIT) return;
    }
  }

  private async signersOf(endpointId: string, now: Date): Promise<Webhook[]> {
    const cached = this.signers.get(endpointId);
    if (cached && cached.until > now.getTime()) return cached.webhooks;
    const webhooks = (await this.options.webhooks.signingSecrets(endpointId, now.toISOString())).map((secret) => new Webhook(secret));
    this.signers.set(endpointId, { webhooks, until: now.getTime() + SECRETS_TTL_MS });
    return webhooks;
  }

  /** The call's version and values right after the change set: its values now, with the changes made since undone. */
  private async callAfter(tenantId: string, set: readonly ChangeRecord[]): Promise<CallAfter> {
    const last = set[set.length - 1]!;
    const found = await this.options.store.getCall(tenantId, last.callId);
    let customFields: CallAfter['customFields'] = found?.customFields ?? [];
    if (found && found.call.version !== last.callVersion) {
      const later: ChangeRecord[] = [];
      for (let after = last.sequence; ; ) {
        const page = await this.options.store.readChanges({ tenantId, callIds: [last.callId], order: 'asc', afterSequence: after, limit: READ_LIMIT });
        later.push(...page);
        if (page.length < READ_LIMIT) break;
        after = page[page.length - 1]!.sequence;
      }
      customFields = valuesBefore(customFields, later);
    }
    return { version: last.callVersion, customFields };
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const started = new Date();
    const attempt = delivery.attempts + 1;
    let statusCode: number | null = null;
    let error: string | null = null;
    let responseBody: string | null = null;
    try {
      const url = await checkWebhookUrlResolved(delivery.url, this.options.policy, this.options.lookup);
      const signers = await this.signersOf(delivery.endpointId, started);
      const signature = signers.map((signer) => signer.sign(delivery.eventId, started, delivery.payload)).join(' ');
      const response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'callgate-webhooks',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(Math.floor(started.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.payload,
      });
      statusCode = response.status;
      responseBody = await readLimited(response, WEBHOOK_DEFAULTS.responseBodyLimit);
      if (!isDelivered(statusCode)) error = `HTTP ${statusCode}`;
    } catch (e) {
      error = e instanceof Error ? (e.name === 'TimeoutError' ? 'timed out' : e.message) : String(e);
    }
    const now = new Date();
    const delivered = error === null;
    const retryWindowMs = this.options.retryWindowMs ?? WEBHOOK_DEFAULTS.retryWindowMs;
    const givenUp = !delivered && retryWindowOver(delivery.createdAt, now.toISOString(), retryWindowMs);
    const delay = retryDelayMs(attempt, (this.options.random ?? Math.random)(), { firstRetryMs: this.options.firstRetryMs, maxRetryMs: this.options.maxRetryMs });
    const outcome = delivered ? 'delivered' : givenUp ? 'failed' : 'retry';
    await this.options.webhooks.recordAttempt({
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      attempt,
      startedAt: started.toISOString(),
      durationMs: now.getTime() - started.getTime(),
      statusCode,
      error,
      responseBody,
      outcome,
      nextAttemptAt: new Date(now.getTime() + (delivered || givenUp ? 0 : delay)).toISOString(),
      now: now.toISOString(),
      retryWindowMs,
    });
    this.options.onAttempt?.(outcome, (now.getTime() - started.getTime()) / 1000);
  }
}

/** The response body's first `limit` bytes as text; the rest is not read. */
async function readLimited(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
