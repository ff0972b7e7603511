import { randomUUID } from 'node:crypto';
import { UUID } from '../core/call.js';
import { decideFieldFilter, deliveryEventType, urlPolicyFrom, webhookTestEvent, WebhookUrlError } from '../core/webhooks.js';
import type { CallStore, Tenant } from '../store/call-store.js';
import { newWebhookSecret } from '../store/webhook-secrets.js';
import { checkWebhookUrlResolved, type Lookup } from '../store/webhook-url.js';
import { UnknownDeliveryCursor, type WebhookDeliveryRecord, type WebhookEndpointRecord, type WebhookStore } from '../store/webhook-store.js';
import { tenantNamed } from './commands.js';
import { CommandFailure, UsageError } from './errors.js';

/**
 * `callgate webhooks create|list|deliveries`: each takes the opened store and
 * the parsed options and returns the JSON to print. The URL policy comes from
 * WEBHOOK_ALLOW_HTTP_HOSTS and WEBHOOK_ALLOW_PRIVATE, as in the server; the
 * secret key from WEBHOOK_SECRET_KEY.
 */

type Env = Readonly<Record<string, string | undefined>>;

export interface WebhookCliContext {
  env?: Env;
  lookup?: Lookup;
}

function webhookStore(store: CallStore, env: Env): WebhookStore {
  if (!store.webhooks) throw new CommandFailure('Webhooks are not available on this store');
  try {
    return store.webhooks({ secretKey: env.WEBHOOK_SECRET_KEY });
  } catch (error) {
    // A missing or malformed WEBHOOK_SECRET_KEY: the message says what is needed.
    throw new CommandFailure(error instanceof Error ? error.message : String(error));
  }
}

const endpointJson = (e: WebhookEndpointRecord) => ({
  id: e.id,
  url: e.url,
  enabled: e.enabled,
  fields: e.fields,
  disabled_reason: e.disabledReason,
  created_at: e.createdAt,
  updated_at: e.updatedAt,
});

const deliveryJson = (d: WebhookDeliveryRecord) => ({
  id: d.id,
  event_id: d.eventId,
  type: deliveryEventType(d.sequence),
  call_id: d.callId,
  cursor: d.sequence < 0 ? null : String(d.sequence),
  status: d.status,
  next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
  last_error: d.lastError,
  created_at: d.createdAt,
  finished_at: d.finishedAt,
  attempts: d.attempts.map((a) => ({ attempt: a.attempt, started_at: a.startedAt, duration_ms: a.durationMs, status_code: a.statusCode, error: a.error })),
});

/** The URL as the operator's policy allows it; a refusal is a usage error naming --url. */
async function checkedUrl(text: string, env: Env, lookup: Lookup | undefined): Promise<string> {
  try {
    return await checkWebhookUrlResolved(text, urlPolicyFrom(env), lookup);
  } catch (error) {
    if (error instanceof WebhookUrlError) throw new UsageError(`--${error.message}`);
    throw error;
  }
}

/** `--field` names or ids as the endpoint's filter (none: every field); an unknown one is a usage error. */
async function fieldFilter(store: CallStore, tenant: Tenant, refs: readonly string[] | undefined) {
  const decision = decideFieldFilter(
    (refs ?? []).map((ref) => (UUID.test(ref) ? { fieldId: ref } : { name: ref })),
    await store.listCustomFields(tenant.id, { includeDisabled: true }),
  );
  if (!decision.ok) throw new UsageError(`--field: no custom field "${refs![decision.problems[0]!.index]}" in tenant "${tenant.name}"`);
  return decision.filter;
}

/** `webhooks create --url URL [--field NAME_OR_ID ...] [--tenant T]`: prints the endpoint and its secret, shown only here. */
export async function createWebhook(
  store: CallStore,
  options: { url: string; field?: string[] | undefined; tenant?: string | undefined },
  context: WebhookCliContext = {},
): Promise<{ endpoint: ReturnType<typeof endpointJson>; secret: string }> {
  const env = context.env ?? process.env;
  const url = await checkedUrl(options.url, env, context.lookup);
  const tenant = await tenantNamed(store, options.tenant);
  const fields = await fieldFilter(store, tenant, options.field);
  const webhooks = webhookStore(store, env);
  const secret = newWebhookSecret();
  const endpoint = await webhooks.createEndpoint({ id: randomUUID(), tenantId: tenant.id, url, enabled: true, fields, secret, now: new Date().toISOString() });
  return { endpoint: endpointJson(endpoint), secret };
}

/** `webhooks update --endpoint ID [--url URL] [--field ... | --all-fields] [--enable | --disable]`: prints the endpoint. */
export async function updateWebhook(
  store: CallStore,
  options: { endpoint: string; url?: string | undefined; field?: string[] | undefined; allFields?: boolean | undefined; enable?: boolean | undefined; disable?: boolean | undefined; tenant?: string | undefined },
  context: WebhookCliContext = {},
) {
  const env = context.env ?? process.env;
  if (options.enable && options.disable) throw new UsageError('--enable and --disable cannot be given together');
  if (options.allFields && options.field) throw new UsageError('--field and --all-fields cannot be given together');
  const url = options.url === undefined ? undefined : await checkedUrl(options.url, env, context.lookup);
  const tenant = await tenantNamed(store, options.tenant);
  const fields = options.allFields ? null : options.field ? await fieldFilter(store, tenant, options.field) : undefined;
  const enabled = options.enable ? true : options.disable ? false : undefined;
  const endpoint = await webhookStore(store, env).updateEndpoint(tenant.id, options.endpoint.toLowerCase(), { url, fields, enabled }, new Date().toISOString());
  if (!endpoint) throw unknownEndpoint(options.endpoint);
  return { endpoint: endpointJson(endpoint) };
}

/** `webhooks delete --endpoint ID`: prints the endpoint as it was; its deliveries go with it. */
export async function deleteWebhook(store: CallStore, options: { endpoint: string; tenant?: string | undefined }, context: WebhookCliContext = {}) {
  const tenant = await tenantNamed(store, options.tenant);
  const webhooks = webhookStore(store, context.env ?? process.env);
  const id = options.endpoint.toLowerCase();
  const endpoint = await webhooks.getEndpoint(tenant.id, id);
  if (!endpoint || !(await webhooks.deleteEndpoint(tenant.id, id))) throw unknownEndpoint(options.endpoint);
  return { deleted: endpointJson(endpoint) };
}

/** `webhooks rotate-secret --endpoint ID [--overlap-seconds N]`: prints the new secret, shown only here. */
export async function rotateWebhookSecret(
  store: CallStore,
  options: { endpoint: string; overlapSeconds?: number | undefined; tenant?: string | undefined },
  context: WebhookCliContext = {},
) {
  const overlap = options.overlapSeconds ?? 86_400;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > 604_800) throw new UsageError('--overlap-seconds must be a whole number from 0 to 604800');
  const tenant = await tenantNamed(store, options.tenant);
  const now = new Date();
  const previousUntil = new Date(now.getTime() + overlap * 1000).toISOString();
  const secret = newWebhookSecret();
  const endpoint = await webhookStore(store, context.env ?? process.env).rotateSecret(tenant.id, options.endpoint.toLowerCase(), secret, previousUntil, now.toISOString());
  if (!endpoint) throw unknownEndpoint(options.endpoint);
  return { endpoint: endpointJson(endpoint), secret, previous_secret_expires_at: previousUntil };
}

/** `webhooks test --endpoint ID`: queues a signed webhook.test event; prints the delivery. */
export async function sendWebhookTest(store: CallStore, options: { endpoint: string; tenant?: string | undefined }, context: WebhookCliContext = {}) {
  const tenant = await tenantNamed(store, options.tenant);
  const id = options.endpoint.toLowerCase();
  const now = new Date().toISOString();
  const delivery = await webhookStore(store, context.env ?? process.env).queueTestEvent(tenant.id, id, now, (number) => {
    const event = webhookTestEvent(id, tenant.id, number, now);
    return { eventId: event.id, payload: JSON.stringify(event) };
  });
  if (!delivery) throw unknownEndpoint(options.endpoint);
  return { delivery: deliveryJson(delivery) };
}

/** `webhooks redeliver --delivery ID`: sends a delivery again (same event id); prints it. */
export async function redeliverWebhook(store: CallStore, options: { delivery: string; tenant?: string | undefined }, context: WebhookCliContext = {}) {
  const tenant = await tenantNamed(store, options.tenant);
  const delivery = await webhookStore(store, context.env ?? process.env).redeliver(tenant.id, options.delivery.toLowerCase(), new Date().toISOString());
  if (!delivery) throw new CommandFailure(`Unknown webhook delivery "${options.delivery}"`);
  return { delivery: deliveryJson(delivery) };
}

const unknownEndpoint = (id: string) => new CommandFailure(`Unknown webhook endpoint "${id}"`);

/** `webhooks list [--tenant T]`: the tenant's endpoints, without secrets. */
export async function listWebhooks(store: CallStore, options: { tenant?: string | undefined }, context: WebhookCliContext = {}) {
  const tenant = await tenantNamed(store, options.tenant);
  return { endpoints: (await webhookStore(store, context.env ?? process.env).listEndpoints(tenant.id)).map(endpointJson) };
}

/** `webhooks deliveries --endpoint ID [--tenant T] [--first N]`: recent deliveries, newest first, with their attempts. */
export async function listWebhookDeliveries(
  store: CallStore,
  options: { endpoint: string; tenant?: string | undefined; first?: number | undefined; after?: string | undefined },
  context: WebhookCliContext = {},
) {
  const tenant = await tenantNamed(store, options.tenant);
  const webhooks = webhookStore(store, context.env ?? process.env);
  const first = options.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > 100) throw new UsageError('--first must be an integer from 1 to 100');
  if (!(await webhooks.getEndpoint(tenant.id, options.endpoint))) throw unknownEndpoint(options.endpoint);
  const deliveries = await webhooks.listDeliveries(tenant.id, options.endpoint, { first, after: options.after }).catch((error: unknown) => {
    throw error instanceof UnknownDeliveryCursor ? new UsageError(`--${error.message}`) : error;
  });
  return { deliveries: deliveries.map(deliveryJson) };
}
