import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallStore } from '../store/call-store.js';
import type { WebhookStore } from '../store/webhook-store.js';

/** What a webhook attempt came to: delivered, to be retried, or failed for good (its retry window is over). */
export type WebhookAttemptOutcome = 'delivered' | 'retry' | 'failed';

const MAX_OPERATION_LABELS = 200;

/**
 * Prometheus metrics of one app: requests and latency by operation and status, GraphQL errors by type, store stats,
 * and, with a webhook store, attempts by outcome and each endpoint's backlog and lag (read at each scrape).
 */
export function createMetrics(store: CallStore, webhooks?: WebhookStore) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'callgate_' });
  const requests = new Counter({
    name: 'callgate_http_requests_total',
    help: 'HTTP requests by operation and status',
    labelNames: ['operation', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'callgate_http_request_duration_seconds',
    help: 'HTTP request latency by operation and status',
    labelNames: ['operation', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const recalledViewers = new Counter({
    name: 'callgate_recalled_viewers_total',
    help:
      'Requests served on a viewer recalled for their credentials (PostgreSQL), by outcome: confirmed by the user row read with the data, ' +
      'or served_again through a full check (credentials revoked or changed since, or the database failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: 'callgate_graphql_errors_total',
    help: 'GraphQL errors by type: expected result-union errors by type name, others by code',
    labelNames: ['type'],
    registers: [registry],
  });
  new Gauge({
    name: 'callgate_db_stat',
    help: 'Database store statistics (SQLite group commits; PostgreSQL pool counts)',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      for (const [stat, value] of Object.entries(store.stats?.() ?? {})) this.set({ stat }, value);
    },
  });
  const webhookAttempts = new Counter({
    name: 'callgate_webhook_attempts_total',
    help: 'Webhook delivery attempts by outcome: delivered (2xx in time), retry (failed, tried again later), failed (given up)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const attemptDuration = new Histogram({
    name: 'callgate_webhook_attempt_duration_seconds',
    help: 'How long webhook attempts took, until the answer or the failure',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  if (webhooks) {
    const backlog = () => webhooks.backlog().catch(() => []);
    new Gauge({
      name: 'callgate_webhook_pending_deliveries',
      help: 'Deliveries waiting for an attempt or a retry, per endpoint',
      labelNames: ['endpoint'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const b of await backlog()) this.set({ endpoint: b.endpointId }, b.pending);
      },
    });
    new Gauge({
      name: 'callgate_webhook_lag_seconds',
      help: 'Age of the oldest undelivered event per endpoint (0 when none waits)',
      labelNames: ['endpoint'],
      registers: [registry],
      async collect() {
        this.reset();
        const now = Date.now();
        for (const b of await backlog()) this.set({ endpoint: b.endpointId }, b.oldestPendingAt === null ? 0 : Math.max(0, (now - Date.parse(b.oldestPendingAt)) / 1000));
      },
    });
  }
  // Operation names come from clients: bound the label set so metrics cannot be blown up.
  const operations = new Set<string>();
  const label = (operation: string) => {
    if (operations.has(operation)) return operation;
    if (operations.size >= MAX_OPERATION_LABELS) return 'other';
    operations.add(operation);
    return operation;
  };
  // The series of each (operation, status), so a request does not hash its label set again.
  const series = new Map<string, { count: ReturnType<typeof requests.labels>; time: ReturnType<typeof duration.labels> }>();
  const seriesFor = (operation: string, status: number) => {
    const labels = { operation: label(operation), status: String(status) };
    const key = `${labels.status} ${labels.operation}`;
    let found = series.get(key);
    if (!found) series.set(key, (found = { count: requests.labels(labels), time: duration.labels(labels) }));
    return found;
  };
  return {
    registry,
    observeRequest(operation: string, status: number, seconds: number) {
      const { count, time } = seriesFor(operation, status);
      count.inc();
      time.observe(seconds);
    },
    countRecalledViewer(confirmed: boolean) {
      recalledViewers.inc({ outcome: confirmed ? 'confirmed' : 'served_again' });
    },
    countGraphQLError(type: string) {
      graphqlErrors.inc({ type });
    },
    observeWebhookAttempt(outcome: WebhookAttemptOutcome, seconds: number) {
      webhookAttempts.inc({ outcome });
      attemptDuration.observe(seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
