import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const tenants = sqliteTable('tenants', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: text('created_at').notNull(),
});

export const apiUsers = sqliteTable(
  'api_users',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'editor', 'viewer'] }).notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('api_users_tenant_idx').on(t.tenantId)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => apiUsers.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: text('created_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

export const customFields = sqliteTable(
  'custom_fields',
  {
    fieldId: text('field_id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    name: text('name').notNull(),
    description: text('description'),
    type: text('type', { enum: ['text', 'option', 'number', 'date', 'multiselect', 'boolean'] }).notNull(),
    options: text('options', { mode: 'json' }).$type<string[]>(),
    /** Names the field had before renames, most recent first (JSON array), for "it was renamed" hints. */
    previousNames: text('previous_names', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    maxLength: integer('max_length'),
    editable: integer('editable', { mode: 'boolean' }).notNull().default(true),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('custom_fields_tenant_name_idx').on(t.tenantId, sql`lower(${t.name})`)],
);

export const calls = sqliteTable(
  'calls',
  {
    callId: text('call_id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    setupTime: text('setup_time').notNull(),
    fromNumber: text('from_number').notNull(),
    toNumber: text('to_number').notNull(),
    direction: text('direction', { enum: ['inbound', 'outbound', 'unknown'] }).notNull(),
    duration: integer('duration').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('calls_tenant_setup_time_idx').on(t.tenantId, t.setupTime, t.callId),
    index('calls_tenant_duration_idx').on(t.tenantId, t.duration, t.callId),
    index('calls_tenant_from_number_idx').on(t.tenantId, t.fromNumber),
    index('calls_tenant_to_number_idx').on(t.tenantId, t.toNumber),
  ],
);

export const callCustomFieldValues = sqliteTable(
  'call_custom_field_values',
  {
    callId: text('call_id').notNull().references(() => calls.callId, { onDelete: 'cascade' }),
    fieldId: text('field_id').notNull().references(() => customFields.fieldId, { onDelete: 'cascade' }),
    value: text('value').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').references(() => apiUsers.id),
  },
  (t) => [
    primaryKey({ columns: [t.callId, t.fieldId] }),
    index('call_custom_field_values_field_value_idx').on(t.fieldId, t.value),
  ],
);

/**
 * The change log (core/change-log.ts): one row per change of a stored value,
 * numbered per tenant in commit order. Appended in the transaction of the
 * change, never updated; deleted only by retention. No foreign keys: a record
 * outlives a deleted field, and names its field and actor as they were.
 */
export const callChanges = sqliteTable(
  'call_changes',
  {
    tenantId: text('tenant_id').notNull(),
    sequence: integer('sequence').notNull(),
    changeSetId: text('change_set_id').notNull(),
    callId: text('call_id').notNull(),
    fieldId: text('field_id').notNull(),
    fieldName: text('field_name').notNull(),
    kind: text('kind', { enum: ['set', 'cleared', 'field_deleted', 'invalidated'] }).notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    callVersion: integer('call_version').notNull(),
    actorUserId: text('actor_user_id'),
    actorUsername: text('actor_username'),
    actorTokenId: text('actor_token_id'),
    channel: text('channel', { enum: ['rest', 'graphql', 'import', 'admin', 'bulk'] }).notNull(),
    requestId: text('request_id'),
    clientAddress: text('client_address'),
    committedAt: text('committed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.sequence] }),
    index('call_changes_call_idx').on(t.tenantId, t.callId, t.sequence),
    index('call_changes_committed_at_idx').on(t.tenantId, t.committedAt),
  ],
);

/**
 * Each tenant's last sequence number and commit time: the next record is
 * numbered after the last one ever written, also when retention has deleted
 * every record since.
 */
export const changeLogHeads = sqliteTable('change_log_heads', {
  tenantId: text('tenant_id').primaryKey(),
  lastSequence: integer('last_sequence').notNull(),
  lastCommittedAt: text('last_committed_at').notNull(),
});

/**
 * A tenant's webhook endpoint (core/webhooks.ts). `fields` is a JSON array of
 * field ids, null for every field. Secrets are stored sealed (store/webhook-secrets.ts):
 * a dump of this table alone does not reveal them. During a rotation the
 * previous secret also signs until `previous_secret_expires_at`.
 * `cursor_sequence` is how far the change log has been turned into deliveries.
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull().references(() => tenants.id),
    url: text('url').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    fields: text('fields'),
    sealedSecret: text('sealed_secret').notNull(),
    sealedPreviousSecret: text('sealed_previous_secret'),
    previousSecretExpiresAt: text('previous_secret_expires_at'),
    disabledReason: text('disabled_reason'),
    failingSince: text('failing_since'),
    cursorSequence: integer('cursor_sequence').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('webhook_endpoints_tenant_idx').on(t.tenantId)],
);

/**
 * One event (a change set of the log, or a test event) owed to one endpoint.
 * `sequence` is the change set's first record's sequence (0 for a test event);
 * the event id is derived from endpoint and sequence, so every retry carries it.
 * status: pending (waiting for next_attempt_at), delivered, failed.
 * A claim sets lease_until; an expired lease is claimable again.
 */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    callId: text('call_id'),
    sequence: integer('sequence').notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at').notNull(),
    leaseUntil: text('lease_until'),
    leasedBy: text('leased_by'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    finishedAt: text('finished_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_idx').on(t.endpointId, t.sequence),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_call_idx').on(t.endpointId, t.callId, t.sequence),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
  ],
);

/** Each try of a delivery: when, how long, what came back. */
export const webhookAttempts = sqliteTable(
  'webhook_attempts',
  {
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: text('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    responseBody: text('response_body'),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);
