import { randomUUID } from 'node:crypto';
import { UUID } from '../core/call.js';
import { decideFieldFilter, urlPolicyFrom, WebhookUrlError } from '../core/webhooks.js';
import type { CallStore } from '../store/call-store.js';
import { newWebhookSecret } from '../store/webhook-secrets.js';
import { checkWebhookUrlResolved, type Lookup } from '../store/webhook-url.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord, WebhookStore } from '../store/webhook-store.js';
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
  call_id: d.callId,
  cursor: String(d.sequence),
  status: d.status,
  next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
  last_error: d.lastError,
  created_at: d.createdAt,
  finished_at: d.finishedAt,
  attempts: d.attempts.map((a) => ({ attempt: a.attempt, started_at: a.startedAt, duration_ms: a.durationMs, status_code: a.statusCode, error: a.error })),
});

/** `webhooks create --url URL [--field NAME_OR_ID ...] [--tenant T]`: prints the endpoint and its secret, shown only here. */
export async function createWebhook(
  store: CallStore,
  options: { url: string; field?: string[] | undefined; tenant?: string | undefined },
  context: WebhookCliContext = {},
): Promise<{ endpoint: ReturnType<typeof endpointJson>; secret: string }> {
  const env = context.env ?? process.env;
  let url: string;
  try {
    url = await checkWebhookUrlResolved(options.url, urlPolicyFrom(env), context.lookup);
  } catch (error) {
    if (error instanceof WebhookUrlError) throw new UsageError(`--${error.message}`);
    throw error;
  }
  const tenant = await tenantNamed(store, options.tenant);
  const refs = (options.field ?? []).map((ref) => (UUID.test(ref) ? { fieldId: ref } : { name: ref }));
  const decision = decideFieldFilter(refs, await store.listCustomFields(tenant.id, { includeDisabled: true }));
  if (!decision.ok) {
    const problem = decision.problems[0]!;
    throw new UsageError(`--field: no custom field "${options.field![problem.index]}" in tenant "${tenant.name}"`);
  }
  const webhooks = webhookStore(store, env);
  const secret = newWebhookSecret();
  const endpoint = await webhooks.createEndpoint({
    id: randomUUID(),
    tenantId: tenant.id,
    url,
    enabled: true,
    fields: decision.filter,
    secret,
    now: new Date().toISOString(),
  });
  return { endpoint: endpointJson(endpoint), secret };
}

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
  if (!(await webhooks.getEndpoint(tenant.id, options.endpoint))) throw new CommandFailure(`Unknown webhook endpoint "${options.endpoint}"`);
  return { deliveries: (await webhooks.listDeliveries(tenant.id, options.endpoint, { first, after: options.after })).map(deliveryJson) };
}
