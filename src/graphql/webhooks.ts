import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { can, WEBHOOKS_FORBIDDEN_MESSAGE } from '../core/permissions.js';
import type { Viewer } from '../core/viewer.js';
import { decideFieldFilter, deliveryEventType, webhookTestEvent, WebhookUrlError, type FieldFilter, type WebhookFieldRef } from '../core/webhooks.js';
import { UnknownDeliveryCursor, type WebhookDeliveryRecord, type WebhookEndpointRecord } from '../store/webhook-store.js';
import { builder } from './builder.js';
import { PageInfoRef, type PageInfoSource } from './call-list.js';
import { PAGE_SIZES } from './query-limits.js';
import { CustomFieldRefInput } from './change-log.js';
import type { GraphQLContext, WebhookAdmin } from './context.js';
import { CustomFieldRef } from './custom-field.js';
import { ForbiddenError, InvalidRecordError, NotFoundError, type ValidationDetail } from './errors.js';

/**
 * Webhook administration (admin only): endpoints with their field filter,
 * the signing secret shown once at creation and at each rotation, the recent
 * deliveries with their attempts, redelivery and test events. Delivery itself
 * is the server's webhook worker (http/webhook-worker.ts).
 */

const { default: DEFAULT_DELIVERIES_PAGE, max: MAX_DELIVERIES_PAGE } = PAGE_SIZES['WebhookEndpoint.deliveries']!;
/** How long a rotated-out secret keeps signing when the rotation names no overlap. */
const DEFAULT_OVERLAP_SECONDS = 24 * 60 * 60;

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    PENDING: { value: 'pending', description: 'Waiting for its first attempt or its next retry.' },
    DELIVERED: { value: 'delivered', description: 'The endpoint answered 2xx within the timeout.' },
    FAILED: { value: 'failed', description: 'Every attempt failed for the whole retry window; `redeliverWebhookEvent` tries again.' },
  } as const,
});

const WebhookAttemptRef = builder.objectRef<WebhookDeliveryRecord['attempts'][number]>('WebhookAttempt').implement({
  description: 'One try of a delivery.',
  fields: (t) => ({
    attempt: t.exposeInt('attempt', { description: '1 for the first try.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the request was sent.' }),
    durationMs: t.exposeInt('durationMs', { description: 'Until the answer (or the failure), in milliseconds.' }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'The HTTP status answered; null when none came (timeout, refused connection).' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the try did not count as delivered; null when it did.' }),
  }),
});

const WebhookDeliveryRef = builder.objectRef<WebhookDeliveryRecord>('WebhookDelivery').implement({
  description: 'One event owed to one endpoint: a change set of the change log, or a test event.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The delivery UUID; pass it to `redeliverWebhookEvent`.' }),
    eventId: t.exposeString('eventId', { description: 'The event id the receiver sees (`webhook-id`), the same on every attempt.' }),
    type: t.string({
      description: '`call.custom_fields.changed`, or `webhook.test` for a test event.',
      resolve: (d) => deliveryEventType(d.sequence),
    }),
    callId: t.exposeID('callId', { nullable: true, description: 'The call that changed; null for a test event.' }),
    cursor: t.string({
      nullable: true,
      description: 'The change log sequence of the change set\'s first record; null for a test event.',
      resolve: (d) => (d.sequence < 0 ? null : String(d.sequence)),
    }),
    status: t.field({ type: DeliveryStatusEnum, description: 'Where the delivery stands.', resolve: (d) => d.status }),
    attempts: t.field({ type: [WebhookAttemptRef], description: 'Every try so far, first first.', resolve: (d) => d.attempts }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next try is due; null unless pending.',
      resolve: (d) => (d.status === 'pending' ? d.nextAttemptAt : null),
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last try failed; null after a success.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the delivery was queued.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it was delivered or given up; null while pending.' }),
  }),
});

interface DeliveryPage {
  edges: { cursor: string; node: WebhookDeliveryRecord }[];
  pageInfo: PageInfoSource;
}

const WebhookDeliveryConnectionRef = builder.objectRef<DeliveryPage>('WebhookDeliveryConnection').implement({
  description: 'A page of an endpoint\'s deliveries, newest first.',
  fields: (t) => ({
    edges: t.field({
      type: [
        builder.objectRef<DeliveryPage['edges'][number]>('WebhookDeliveryEdge').implement({
          description: 'One delivery on a page, with its cursor.',
          fields: (e) => ({
            cursor: e.exposeString('cursor', { description: 'Pass it as `after` for the deliveries older than this one.' }),
            node: e.field({ type: WebhookDeliveryRef, description: 'The delivery.', resolve: (edge) => edge.node }),
          }),
        }),
      ],
      description: 'The deliveries on this page, newest first.',
      resolve: (page) => page.edges,
    }),
    pageInfo: t.field({ type: PageInfoRef, description: 'Where this page lies (it pages forward: `hasPreviousPage` is whether `after` was given).', resolve: (page) => page.pageInfo }),
  }),
});

const WebhookEndpointRef = builder.objectRef<WebhookEndpointRecord>('WebhookEndpoint').implement({
  description: 'Where a tenant\'s custom field changes are delivered, signed with its secret (Standard Webhooks). The secret is never shown here.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The endpoint UUID.' }),
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    enabled: t.exposeBoolean('enabled', { description: 'A disabled endpoint receives nothing; enabled again, it receives the change sets made meanwhile, from where it stopped.' }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why callgate disabled it (every delivery failed for the whole retry window); null otherwise. Enabling clears it.',
    }),
    fields: t.field({
      type: [CustomFieldRef],
      nullable: true,
      description: 'The fields whose changes it receives; null for every field. A deleted field drops out.',
      resolve: async (endpoint, _args, context) => {
        if (endpoint.fields === null) return null;
        const definitions = await context.customFieldDefinitions();
        return endpoint.fields.flatMap((id) => definitions.filter((d) => d.fieldId === id));
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the endpoint was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When it last changed.' }),
    deliveries: t.field({
      type: WebhookDeliveryConnectionRef,
      description: `Its deliveries, newest first, with their attempts (\`first\` default ${DEFAULT_DELIVERIES_PAGE}, at most ${MAX_DELIVERIES_PAGE}).`,
      args: {
        first: t.arg.int({ description: `How many (default ${DEFAULT_DELIVERIES_PAGE}, at most ${MAX_DELIVERIES_PAGE}).` }),
        after: t.arg.string({ description: 'A cursor: the deliveries older than this one.' }),
      },
      resolve: async (endpoint, args, context) => {
        const first = args.first ?? DEFAULT_DELIVERIES_PAGE;
        if (first < 0 || first > MAX_DELIVERIES_PAGE) throw new GraphQLError(`first must be from 0 to ${MAX_DELIVERIES_PAGE}`, { extensions: { code: 'BAD_USER_INPUT' } });
        const admin = webhookAdmin(context);
        const rows = await admin.store.listDeliveries(endpoint.tenantId, endpoint.id, { first: first + 1, after: args.after ?? undefined }).catch((error: unknown) => {
          throw error instanceof UnknownDeliveryCursor ? new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } }) : error;
        });
        const edges = rows.slice(0, first).map((node) => ({ cursor: node.id, node }));
        const pageInfo = { hasNextPage: rows.length > first, hasPreviousPage: args.after != null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null };
        return { edges, pageInfo };
      },
    }),
  }),
});

/** The admin API, or a GraphQL error saying why this server has none. */
function webhookAdmin(context: GraphQLContext): WebhookAdmin {
  const admin = context.webhooks;
  if (admin === undefined || typeof admin === 'string') {
    throw new GraphQLError(admin ?? 'Webhooks are not available on this server', { extensions: { code: 'WEBHOOKS_UNAVAILABLE' } });
  }
  return admin;
}

/** The queries answer null beside a FORBIDDEN error for other roles, as the other admin lists do. */
function requireListAdmin(viewer: Viewer): void {
  if (!can(viewer.role, 'administer')) throw new GraphQLError(WEBHOOKS_FORBIDDEN_MESSAGE, { extensions: { code: 'FORBIDDEN' } });
}

function requireWebhookAdmin(viewer: Viewer): void {
  if (!can(viewer.role, 'administer')) throw new ForbiddenError(WEBHOOKS_FORBIDDEN_MESSAGE);
}

const endpointIdOf = (id: string) => id.toLowerCase();

type Checked<T> = { ok: true; value: T } | { ok: false; details: ValidationDetail[] };

/** The URL as the policy allows it, or a detail at path "url". */
async function checkedUrl(admin: WebhookAdmin, url: string): Promise<Checked<string>> {
  try {
    return { ok: true, value: await admin.checkUrl(url) };
  } catch (error) {
    if (!(error instanceof WebhookUrlError)) throw error;
    return { ok: false, details: [{ path: 'url', message: error.message.replace(/^url: /, ''), attribute: 'url' }] };
  }
}

/** The field filter for the refs, or a detail per unknown field at "fields.<index>.<fieldId|name>". */
async function checkedFields(context: GraphQLContext, refs: readonly WebhookFieldRef[] | null | undefined): Promise<Checked<FieldFilter>> {
  const decision = decideFieldFilter(refs, await context.customFieldDefinitions());
  if (decision.ok) return { ok: true, value: decision.filter };
  return {
    ok: false,
    details: decision.problems.map((p) => ({ path: `fields.${p.index}${p.attribute ? `.${p.attribute}` : ''}`, message: p.message, entryIndex: p.index, attribute: p.attribute })),
  };
}

/** The URL and fields when given, each checked; every problem of both is reported at once (InvalidRecordError). */
async function checkedEndpoint(
  context: GraphQLContext,
  admin: WebhookAdmin,
  given: { url?: string | null | undefined; fields?: readonly WebhookFieldRef[] | null | undefined },
): Promise<{ url: string | undefined; fields: FieldFilter | undefined }> {
  const url = given.url == null ? undefined : await checkedUrl(admin, given.url);
  // An absent argument is undefined, an explicit null is null (every field).
  const fields = given.fields === undefined ? undefined : await checkedFields(context, given.fields);
  const details = [url, fields].flatMap((c) => (c && !c.ok ? c.details : []));
  if (details.length > 0) throw new InvalidRecordError(details);
  return { url: url?.ok ? url.value : undefined, fields: fields?.ok ? fields.value : undefined };
}

const EndpointSuccess = builder.objectRef<{ endpoint: WebhookEndpointRecord }>('WebhookEndpointSuccess').implement({
  description: 'The endpoint was changed (updateWebhookEndpoint) or deleted (deleteWebhookEndpoint).',
  fields: (t) => ({ endpoint: t.field({ type: WebhookEndpointRef, description: 'The endpoint as it is now (as it was, after a deletion).', resolve: (r) => r.endpoint }) }),
});

const CreateSuccess = builder.objectRef<{ endpoint: WebhookEndpointRecord; secret: string }>('CreateWebhookEndpointSuccess').implement({
  description: 'The endpoint was created; it receives the change sets made from now on.',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpointRef, description: 'The new endpoint.', resolve: (r) => r.endpoint }),
    secret: t.exposeString('secret', {
      description: 'The signing secret (`whsec_...`) to verify deliveries with. Shown this once: it is stored sealed and never shown again.',
    }),
  }),
});

const RotateSuccess = builder.objectRef<{ endpoint: WebhookEndpointRecord; secret: string; previousSecretExpiresAt: string }>('RotateWebhookSecretSuccess').implement({
  description: 'A new signing secret; until `previousSecretExpiresAt` deliveries carry signatures with both.',
  fields: (t) => ({
    endpoint: t.field({ type: WebhookEndpointRef, description: 'The endpoint.', resolve: (r) => r.endpoint }),
    secret: t.exposeString('secret', { description: 'The new signing secret. Shown this once.' }),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', { type: 'DateTime', description: 'When the old secret stops signing.' }),
  }),
});

const DeliverySuccess = builder.objectRef<{ delivery: WebhookDeliveryRecord }>('WebhookDeliverySuccess').implement({
  description: 'The delivery is queued, due now (redeliverWebhookEvent, sendWebhookTestEvent).',
  fields: (t) => ({ delivery: t.field({ type: WebhookDeliveryRef, description: 'The delivery as queued.', resolve: (r) => r.delivery }) }),
});

const mutationErrors = (name: string, description: string, members: { invalid?: boolean; notFound?: boolean } = {}) => ({
  types: [...(members.invalid ? [InvalidRecordError] : []), ...(members.notFound === false ? [] : [NotFoundError]), ForbiddenError],
  directResult: true as const,
  union: { name, description },
});

builder.queryField('webhookEndpoints', (t) =>
  t.field({
    type: [WebhookEndpointRef],
    nullable: true,
    description:
      'The webhook endpoints of the viewer\'s tenant, oldest first (admin only). Null, with a FORBIDDEN error at this path, for other roles.',
    resolve: async (_root, _args, context) => {
      requireListAdmin(context.viewer);
      return webhookAdmin(context).store.listEndpoints(context.viewer.tenantId);
    },
  }),
);

builder.queryField('webhookEndpoint', (t) =>
  t.field({
    type: WebhookEndpointRef,
    nullable: true,
    description:
      'One webhook endpoint of the viewer\'s tenant (admin only); null when there is none with this id. Null, with a FORBIDDEN error at this path, for other roles.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint UUID.' }) },
    resolve: async (_root, args, context) => {
      requireListAdmin(context.viewer);
      return webhookAdmin(context).store.getEndpoint(context.viewer.tenantId, endpointIdOf(String(args.id)));
    },
  }),
);

builder.mutationField('createWebhookEndpoint', (t) =>
  t.field({
    type: CreateSuccess,
    description:
      'Registers an endpoint for the viewer\'s tenant (admin only). It receives every change set made from now on (of `fields` only, ' +
      'when given), signed with the secret in the result, shown once. The URL must be https:// (plain http only for hosts the ' +
      'operator allows) and must not be or resolve to a private, loopback or link-local address unless the operator allows it.',
    errors: mutationErrors(
      'CreateWebhookEndpointResult',
      'CreateWebhookEndpointSuccess; ForbiddenError when the viewer is not an admin; InvalidRecordError for a refused URL (path "url") or unknown fields ("fields.<index>").',
      { invalid: true, notFound: false },
    ),
    args: {
      url: t.arg.string({ required: true, description: 'Where to POST events.' }),
      fields: t.arg({ type: [CustomFieldRefInput], description: 'Only changes of these fields (by id or name, the id wins); absent, null or empty for every field.' }),
      enabled: t.arg.boolean({ description: 'Whether it receives events from now on (default true).' }),
    },
    resolve: async (_root, args, context) => {
      requireWebhookAdmin(context.viewer);
      const admin = webhookAdmin(context);
      const { url, fields } = await checkedEndpoint(context, admin, { url: args.url, fields: args.fields ?? null });
      const secret = admin.newSecret();
      const endpoint = await admin.store.createEndpoint({
        id: randomUUID(),
        tenantId: context.viewer.tenantId,
        url: url!,
        enabled: args.enabled ?? true,
        fields: fields ?? null,
        secret,
        now: context.clock().toISOString(),
      });
      return { endpoint, secret };
    },
  }),
);

builder.mutationField('updateWebhookEndpoint', (t) =>
  t.field({
    type: EndpointSuccess,
    description:
      'Changes an endpoint of the viewer\'s tenant (admin only): what is given changes, what is absent stays. `fields: null` (or empty) ' +
      'means every field. Enabling a disabled endpoint clears its disabled reason; it receives change sets from where it stopped.',
    errors: mutationErrors(
      'UpdateWebhookEndpointResult',
      'WebhookEndpointSuccess; ForbiddenError when the viewer is not an admin; NotFoundError for an unknown endpoint; InvalidRecordError for a refused URL or unknown fields.',
      { invalid: true },
    ),
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint.' }),
      url: t.arg.string({ description: 'A new URL, checked as at creation.' }),
      fields: t.arg({ type: [CustomFieldRefInput], description: 'The fields it receives changes of; null or empty for every field; absent keeps them.' }),
      enabled: t.arg.boolean({ description: 'Turn delivery on or off.' }),
    },
    resolve: async (_root, args, context) => {
      requireWebhookAdmin(context.viewer);
      const admin = webhookAdmin(context);
      const id = endpointIdOf(String(args.id));
      const { url, fields } = await checkedEndpoint(context, admin, args);
      const enabled = args.enabled ?? undefined;
      const endpoint = await admin.store.updateEndpoint(context.viewer.tenantId, id, { url, fields, enabled }, context.clock().toISOString());
      if (!endpoint) throw new NotFoundError('Webhook endpoint not found');
      return { endpoint };
    },
  }),
);

builder.mutationField('deleteWebhookEndpoint', (t) =>
  t.field({
    type: EndpointSuccess,
    description: 'Deletes an endpoint of the viewer\'s tenant with its deliveries (admin only); nothing more is sent to it.',
    errors: mutationErrors('DeleteWebhookEndpointResult', 'WebhookEndpointSuccess; ForbiddenError when the viewer is not an admin; NotFoundError for an unknown endpoint.'),
    args: { id: t.arg.id({ required: true, description: 'The endpoint.' }) },
    resolve: async (_root, args, context) => {
      requireWebhookAdmin(context.viewer);
      const admin = webhookAdmin(context);
      const id = endpointIdOf(String(args.id));
      const endpoint = await admin.store.getEndpoint(context.viewer.tenantId, id);
      if (!endpoint || !(await admin.store.deleteEndpoint(context.viewer.tenantId, id))) throw new NotFoundError('Webhook endpoint not found');
      return { endpoint };
    },
  }),
);

builder.mutationField('rotateWebhookSecret', (t) =>
  t.field({
    type: RotateSuccess,
    description:
      'Gives an endpoint a new signing secret (admin only), shown once in the result. The old one keeps signing beside it for ' +
      '`overlapSeconds` (default 24 hours), so receivers can switch without missing a delivery.',
    errors: mutationErrors(
      'RotateWebhookSecretResult',
      'RotateWebhookSecretSuccess; ForbiddenError when the viewer is not an admin; NotFoundError for an unknown endpoint; InvalidRecordError for an overlap out of range.',
      { invalid: true },
    ),
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint.' }),
      overlapSeconds: t.arg.int({ description: 'How long the old secret keeps signing, 0 to 604800 (default 86400).' }),
    },
    resolve: async (_root, args, context) => {
      requireWebhookAdmin(context.viewer);
      const admin = webhookAdmin(context);
      const overlap = args.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
      if (overlap < 0 || overlap > 7 * DEFAULT_OVERLAP_SECONDS) {
        throw new InvalidRecordError([{ path: 'overlapSeconds', message: 'Must be from 0 to 604800 seconds', attribute: 'overlapSeconds' }]);
      }
      const now = context.clock();
      const previousSecretExpiresAt = new Date(now.getTime() + overlap * 1000).toISOString();
      const secret = admin.newSecret();
      const endpoint = await admin.store.rotateSecret(context.viewer.tenantId, endpointIdOf(String(args.id)), secret, previousSecretExpiresAt, now.toISOString());
      if (!endpoint) throw new NotFoundError('Webhook endpoint not found');
      return { endpoint, secret, previousSecretExpiresAt };
    },
  }),
);

builder.mutationField('redeliverWebhookEvent', (t) =>
  t.field({
    type: DeliverySuccess,
    description:
      'Sends a delivery again (admin only), due now, with the same event id: a failed one after fixing the receiver, or a delivered ' +
      'one the receiver lost. Until it is delivered, later events for the same call wait behind it.',
    errors: mutationErrors('RedeliverWebhookEventResult', 'WebhookDeliverySuccess; ForbiddenError when the viewer is not an admin; NotFoundError for an unknown delivery.'),
    args: { deliveryId: t.arg.id({ required: true, description: 'The delivery (`WebhookDelivery.id`).' }) },
    resolve: async (_root, args, context) => {
      requireWebhookAdmin(context.viewer);
      const delivery = await webhookAdmin(context).store.redeliver(context.viewer.tenantId, String(args.deliveryId).toLowerCase(), context.clock().toISOString());
      if (!delivery) throw new NotFoundError('Webhook delivery not found');
      return { delivery };
    },
  }),
);

builder.mutationField('sendWebhookTestEvent', (t) =>
  t.field({
    type: DeliverySuccess,
    description:
      'Queues a `webhook.test` event for an endpoint (admin only), signed and retried like any other; follow it in the endpoint\'s ' +
      '`deliveries`. A disabled endpoint gets it once enabled.',
    errors: mutationErrors('SendWebhookTestEventResult', 'WebhookDeliverySuccess; ForbiddenError when the viewer is not an admin; NotFoundError for an unknown endpoint.'),
    args: { id: t.arg.id({ required: true, description: 'The endpoint.' }) },
    resolve: async (_root, args, context) => {
      requireWebhookAdmin(context.viewer);
      const id = endpointIdOf(String(args.id));
      const tenantId = context.viewer.tenantId;
      const now = context.clock().toISOString();
      const delivery = await webhookAdmin(context).store.queueTestEvent(tenantId, id, now, (number) => {
        const event = webhookTestEvent(id, tenantId, number, now);
        return { eventId: event.id, payload: JSON.stringify(event) };
      });
      if (!delivery) throw new NotFoundError('Webhook endpoint not found');
      return { delivery };
    },
  }),
);
