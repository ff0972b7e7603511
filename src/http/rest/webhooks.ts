import type { ExecutionResult } from 'graphql';
import { UUID } from '../../core/call.js';
import type { Viewer } from '../../core/viewer.js';
import { PAGE_SIZES } from '../../graphql/query-limits.js';
import { invalidRecord, jsonReply, restError, type RestReply } from '../reply.js';
import { readJsonRequest, type RestRequest } from '../request-body.js';
import { readKnownParams } from './call-list.js';
import {
  CREATE_WEBHOOK,
  DELETE_WEBHOOK,
  GET_WEBHOOK,
  LIST_WEBHOOKS,
  REDELIVER_WEBHOOK_EVENT,
  ROTATE_WEBHOOK_SECRET,
  SEND_WEBHOOK_TEST_EVENT,
  UPDATE_WEBHOOK,
  WEBHOOK_DELIVERIES,
  type RestWebhook,
  type RestWebhookDelivery,
  type VariablesOf,
} from './documents.js';
import { expectedErrorOf, failedOperation, type OperationRunner } from './operation.js';
import { failureReply, type RestFailure } from './outcomes.js';

export const { default: WEBHOOK_DELIVERIES_DEFAULT_LIMIT, max: WEBHOOK_DELIVERIES_MAX_LIMIT } = PAGE_SIZES['WebhookEndpoint.deliveries']!;
const webhookPath = (id: string) => `/api/v2/webhooks/${encodeURIComponent(id)}.json`;

/** An endpoint in the vendor's snake_case (the CLI prints the same keys). */
export const toRestWebhook = (w: RestWebhook) => ({
  id: w.id,
  url: w.url,
  enabled: w.enabled,
  fields: w.fields?.map((f) => f.id) ?? null,
  disabled_reason: w.disabledReason,
  created_at: w.createdAt,
  updated_at: w.updatedAt,
});

export const toRestWebhookDelivery = (d: RestWebhookDelivery) => ({
  id: d.id,
  event_id: d.eventId,
  type: d.type,
  call_id: d.callId,
  cursor: d.cursor,
  status: d.status.toLowerCase(),
  next_attempt_at: d.nextAttemptAt,
  last_error: d.lastError,
  created_at: d.createdAt,
  finished_at: d.finishedAt,
  attempts: d.attempts.map((a) => ({ attempt: a.attempt, started_at: a.startedAt, duration_ms: a.durationMs, status_code: a.statusCode, error: a.error })),
});

type WebhookInput = Omit<VariablesOf<typeof UPDATE_WEBHOOK>, 'id'>;
const ATTRIBUTES = ['url', 'fields', 'enabled'] as const;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads `{"webhook": {"url", "fields", "enabled"}}`: `fields` names custom
 * fields by id (a UUID) or name, null or [] for every field. Only JSON types
 * are checked here; the mutation checks the URL and the fields. An attribute
 * left out is not sent (an update keeps it).
 */
export function readWebhookBody(body: unknown, create: boolean): { ok: true; input: WebhookInput } | { ok: false; details: Record<string, string> } {
  const webhook = isObject(body) ? body.webhook : undefined;
  if (!isObject(webhook)) return { ok: false, details: { webhook: 'Must be an object with the webhook\'s attributes' } };
  const details: Record<string, string> = {};
  const input: WebhookInput = {};
  for (const [key, value] of Object.entries(webhook)) {
    if (key === 'url') {
      if (typeof value === 'string') input.url = value;
      else details.url = 'Must be a string';
    } else if (key === 'enabled') {
      if (typeof value === 'boolean') input.enabled = value;
      else details.enabled = 'Must be true or false';
    } else if (key === 'fields') {
      if (value === null) input.fields = null;
      else if (Array.isArray(value) && value.every((f) => typeof f === 'string')) input.fields = value.map((f) => (UUID.test(f) ? { fieldId: f } : { name: f }));
      else details.fields = 'Must be a list of custom field ids or names, or null for every field';
    } else details[key] = `Unknown attribute; expected one of ${ATTRIBUTES.join(', ')}`;
  }
  if (create && input.url === undefined && !details.url) details.url = 'URL is required';
  return Object.keys(details).length > 0 ? { ok: false, details } : { ok: true, input };
}

/** "fields.0.name" -> "fields.0", "overlapSeconds" -> "overlap_seconds": details keys are the body's. */
const toRestWebhookPath = (path: string) => path.replace(/^(fields\.\d+)\..*$/, '$1').replace('overlapSeconds', 'overlap_seconds');

/** 403 for a query's FORBIDDEN error, 501 when this server has no webhooks, 503 or 500 for anything else. */
function failure(result: ExecutionResult): RestReply {
  const expected = expectedErrorOf(result);
  if (expected?.code === 'FORBIDDEN') return restError(403, 'Forbidden', expected.message);
  if (expected?.code === 'WEBHOOKS_UNAVAILABLE') return restError(501, 'NotImplemented', expected.message);
  if (expected?.code === 'BAD_USER_INPUT') return restError(400, 'InvalidParameter', expected.message);
  return failedOperation(result);
}

/** A mutation's outcome: its success body, or the shared failure table (outcomes.ts). */
function outcomeReply<O extends { __typename: string }, N extends O['__typename']>(
  result: ExecutionResult,
  outcome: O | null | undefined,
  success: N,
  reply: (ok: Extract<O, { __typename: N }>) => RestReply,
): RestReply {
  if (result.errors?.length || !outcome) return failure(result);
  const isSuccess = (o: O): o is Extract<O, { __typename: N }> => o.__typename === success;
  // Every other member selects the RestFailure fragment (documents.ts).
  return isSuccess(outcome) ? reply(outcome) : failureReply(outcome as unknown as RestFailure, toRestWebhookPath);
}

function readDeliveriesParams(search: string): { ok: true; limit: number; after: string | null } | { ok: false; description: string } {
  const found = readKnownParams(search, ['limit', 'after']);
  if (!found.ok) return found;
  const limitText = found.given.get('limit');
  const limit = limitText === undefined ? WEBHOOK_DELIVERIES_DEFAULT_LIMIT : /^\d{1,4}$/.test(limitText) ? Number(limitText) : NaN;
  if (!(limit >= 1 && limit <= WEBHOOK_DELIVERIES_MAX_LIMIT)) {
    return { ok: false, description: `limit must be a whole number from 1 to ${WEBHOOK_DELIVERIES_MAX_LIMIT}, got "${limitText}"` };
  }
  const after = found.given.get('after') ?? null;
  if (after !== null && !UUID.test(after)) return { ok: false, description: `after must be a delivery id (a UUID), got "${after}"` };
  return { ok: true, limit, after };
}

function readOverlap(search: string): { ok: true; seconds: number | null } | { ok: false; description: string } {
  const found = readKnownParams(search, ['overlap_seconds']);
  if (!found.ok) return found;
  const text = found.given.get('overlap_seconds');
  if (text === undefined) return { ok: true, seconds: null };
  if (!/^\d{1,9}$/.test(text)) return { ok: false, description: `overlap_seconds must be a whole number of seconds, got "${text}"` };
  return { ok: true, seconds: Number(text) };
}

/**
 * The REST webhook resources (admin only), each a fixed GraphQL operation:
 * GET/POST `/api/v2/webhooks.json`, GET/PUT/DELETE `/api/v2/webhooks/{id}.json`,
 * POST `/api/v2/webhooks/{id}/rotate_secret.json` and `.../test.json`,
 * GET `/api/v2/webhooks/{id}/deliveries.json` and POST
 * `/api/v2/webhook_deliveries/{id}/redeliver.json`.
 */
export function createRestWebhookRoutes(operations: OperationRunner) {
  const documents = {
    list: operations.prepare(LIST_WEBHOOKS),
    get: operations.prepare(GET_WEBHOOK),
    deliveries: operations.prepare(WEBHOOK_DELIVERIES),
    create: operations.prepare(CREATE_WEBHOOK),
    update: operations.prepare(UPDATE_WEBHOOK),
    delete: operations.prepare(DELETE_WEBHOOK),
    rotate: operations.prepare(ROTATE_WEBHOOK_SECRET),
    test: operations.prepare(SEND_WEBHOOK_TEST_EVENT),
    redeliver: operations.prepare(REDELIVER_WEBHOOK_EVENT),
  };
  const notFound = () => restError(404, 'NotFound', 'Webhook not found');

  async function list(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.list, {});
    const endpoints = result.data?.webhookEndpoints;
    if (result.errors?.length || !endpoints) return failure(result);
    return jsonReply(200, { webhooks: endpoints.map(toRestWebhook) });
  }

  async function get(request: RestRequest, viewer: Viewer, id: string): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.get, { id });
    const endpoint = result.data?.webhookEndpoint;
    if (result.errors?.length || endpoint === undefined) return failure(result);
    return endpoint === null ? notFound() : jsonReply(200, { webhook: toRestWebhook(endpoint) });
  }

  async function deliveries(request: RestRequest, viewer: Viewer, id: string, url: URL): Promise<RestReply> {
    const params = readDeliveriesParams(url.search);
    if (!params.ok) return restError(400, 'InvalidParameter', params.description);
    const result = await operations.run(request, viewer, documents.deliveries, { id, first: params.limit, after: params.after });
    const endpoint = result.data?.webhookEndpoint;
    if (result.errors?.length || endpoint === undefined) return failure(result);
    if (endpoint === null) return notFound();
    const { pageInfo, edges } = endpoint.deliveries;
    const next = pageInfo.hasNextPage && pageInfo.endCursor ? `/api/v2/webhooks/${encodeURIComponent(id)}/deliveries.json?limit=${params.limit}&after=${pageInfo.endCursor}` : null;
    return jsonReply(200, { deliveries: edges.map((e) => toRestWebhookDelivery(e.node)), next_url: next });
  }

  async function create(request: RestRequest, viewer: Viewer): Promise<RestReply> {
    const json = await readJsonRequest(request);
    if (!json.ok) return json.reply;
    const body = readWebhookBody(json.value, true);
    if (!body.ok) return invalidRecord(body.details);
    const result = await operations.run(request, viewer, documents.create, { ...body.input, url: body.input.url! });
    return outcomeReply(result, result.data?.createWebhookEndpoint, 'CreateWebhookEndpointSuccess', ({ endpoint, secret }) =>
      jsonReply(201, { webhook: toRestWebhook(endpoint), secret }, { location: webhookPath(endpoint.id) }),
    );
  }

  async function update(request: RestRequest, viewer: Viewer, id: string): Promise<RestReply> {
    const json = await readJsonRequest(request);
    if (!json.ok) return json.reply;
    const body = readWebhookBody(json.value, false);
    if (!body.ok) return invalidRecord(body.details);
    const result = await operations.run(request, viewer, documents.update, { ...body.input, id });
    return outcomeReply(result, result.data?.updateWebhookEndpoint, 'WebhookEndpointSuccess', ({ endpoint }) =>
      jsonReply(200, { webhook: toRestWebhook(endpoint) }),
    );
  }

  async function remove(request: RestRequest, viewer: Viewer, id: string): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.delete, { id });
    return outcomeReply(result, result.data?.deleteWebhookEndpoint, 'WebhookEndpointSuccess', ({ endpoint }) =>
      jsonReply(200, { webhook: toRestWebhook(endpoint) }),
    );
  }

  async function rotateSecret(request: RestRequest, viewer: Viewer, id: string, url: URL): Promise<RestReply> {
    const overlap = readOverlap(url.search);
    if (!overlap.ok) return restError(400, 'InvalidParameter', overlap.description);
    const result = await operations.run(request, viewer, documents.rotate, { id, overlapSeconds: overlap.seconds });
    return outcomeReply(result, result.data?.rotateWebhookSecret, 'RotateWebhookSecretSuccess', ({ endpoint, secret, previousSecretExpiresAt }) =>
      jsonReply(200, { webhook: toRestWebhook(endpoint), secret, previous_secret_expires_at: previousSecretExpiresAt }),
    );
  }

  async function sendTest(request: RestRequest, viewer: Viewer, id: string): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.test, { id });
    return outcomeReply(result, result.data?.sendWebhookTestEvent, 'WebhookDeliverySuccess', ({ delivery }) =>
      jsonReply(202, { delivery: toRestWebhookDelivery(delivery) }),
    );
  }

  async function redeliver(request: RestRequest, viewer: Viewer, deliveryId: string): Promise<RestReply> {
    const result = await operations.run(request, viewer, documents.redeliver, { id: deliveryId });
    return outcomeReply(result, result.data?.redeliverWebhookEvent, 'WebhookDeliverySuccess', ({ delivery }) =>
      jsonReply(202, { delivery: toRestWebhookDelivery(delivery) }),
    );
  }

  return { list, get, deliveries, create, update, remove, rotateSecret, sendTest, redeliver };
}
