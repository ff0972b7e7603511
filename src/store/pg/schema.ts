import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * A timestamptz as the driver hands it over (drizzle asks node-postgres for
 * the text), as an ISO 8601 string in UTC, exactly as the SQLite store
 * returns it. The PostgreSQL store's own statements read instants with it too.
 */
export function instantFromDriver(value: string | Date): string {
  // The text of a UTC session (`2026-01-01 09:00:00.12+00`, or json's `2026-01-01T09:00:00.12+00:00`) is rewritten
  // as it stands; parsing it as a Date costs a request's page of values more than its reading.
  const utc = typeof value === 'string' ? UTC_TEXT.exec(value) : null;
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? '').padEnd(3, '0')}Z`;
  return new Date(value).toISOString();
}

/** A four-digit year's instant in UTC, to the millisecond at most, as PostgreSQL writes it. */
const UTC_TEXT = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,3}))?(?:\+00(?::00)?|Z)$/;

/** A point in time, stored as timestamptz with millisecond precision; see instantFromDriver. */
const instant = customType<{ data: string; driverData: string | Date }>({
  dataType: () => 'timestamp (3) with time zone',
  toDriver: (value) => value,
  fromDriver: instantFromDriver,
});

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: instant('created_at').notNull(),
});

export const apiUsers = pgTable(
  'api_users',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
    username: text('username').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'editor', 'viewer'] }).notNull(),
    disabled: boolean('disabled').notNull().default(false),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [index('api_users_tenant_idx').on(t.tenantId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull().references(() => apiUsers.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: instant('created_at').notNull(),
    revokedAt: instant('revoked_at'),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

export const customFields = pgTable(
  'custom_fields',
  {
    fieldId: uuid('field_id').primaryKey(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
    name: text('name').notNull(),
    description: text('description'),
    type: text('type', { enum: ['text', 'option', 'number', 'date', 'multiselect', 'boolean'] }).notNull(),
    options: jsonb('options').$type<string[]>(),
    /** Names the field had before renames, most recent first, for "it was renamed" hints. */
    previousNames: jsonb('previous_names').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    maxLength: integer('max_length'),
    editable: boolean('editable').notNull().default(true),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [uniqueIndex('custom_fields_tenant_name_idx').on(t.tenantId, sql`lower(${t.name})`)],
);

export const calls = pgTable(
  'calls',
  {
    callId: uuid('call_id').primaryKey(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
    setupTime: instant('setup_time').notNull(),
    fromNumber: text('from_number').notNull(),
    toNumber: text('to_number').notNull(),
    direction: text('direction', { enum: ['inbound', 'outbound', 'unknown'] }).notNull(),
    duration: integer('duration').notNull(),
    // 64-bit: a version only grows; mode number, as it never passes 2^53-1 (one write per microsecond would take 285 years).
    version: bigint('version', { mode: 'number' }).notNull().default(1),
  },
  (t) => [
    index('calls_tenant_setup_time_idx').on(t.tenantId, t.setupTime, t.callId),
    index('calls_tenant_duration_idx').on(t.tenantId, t.duration, t.callId),
    // text_pattern_ops: a number search is a LIKE 'prefix%' that uses the index whatever the database's collation.
    index('calls_tenant_from_number_idx').on(t.tenantId, t.fromNumber.op('text_pattern_ops')),
    index('calls_tenant_to_number_idx').on(t.tenantId, t.toNumber.op('text_pattern_ops')),
  ],
);

/**
 * How many characters of a custom field value its index entry holds. A btree
 * entry takes at most ~2,700 bytes and a text value may be 65,535 characters,
 * so the index keeps only a prefix: 500 characters of up to 4 bytes each fit
 * with room to spare. A filter states the condition on the prefix, to use the
 * index, and on the whole value, to be exact. The prefix is compared in "C"
 * (code point) order, where cutting two strings short never reverses their
 * order: `value = x` implies `prefix = left(x)`, and a bound `value < x` or
 * `value <= x` implies `prefix <= left(x)` (inclusive), whatever the
 * database's collation.
 */
export const VALUE_INDEX_PREFIX = 500;

export const callCustomFieldValues = pgTable(
  'call_custom_field_values',
  {
    callId: uuid('call_id').notNull().references(() => calls.callId, { onDelete: 'cascade' }),
    fieldId: uuid('field_id').notNull().references(() => customFields.fieldId, { onDelete: 'cascade' }),
    value: text('value').notNull(),
    updatedAt: instant('updated_at').notNull(),
    updatedBy: uuid('updated_by').references(() => apiUsers.id),
  },
  (t) => [
    primaryKey({ columns: [t.callId, t.fieldId] }),
    index('call_custom_field_values_field_value_prefix_idx').on(t.fieldId, sql`left(${t.value}, ${sql.raw(String(VALUE_INDEX_PREFIX))}) collate "C"`),
  ],
);

/**
 * The change log (core/change-log.ts): one row per change of a stored value,
 * numbered per tenant in commit order (see change_log_heads). Appended in the
 * transaction of the change, never updated; deleted only by retention. No
 * foreign keys: a record outlives a deleted field, and names its field and
 * actor as they were.
 */
export const callChanges = pgTable(
  'call_changes',
  {
    tenantId: uuid('tenant_id').notNull(),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    changeSetId: uuid('change_set_id').notNull(),
    callId: uuid('call_id').notNull(),
    fieldId: uuid('field_id').notNull(),
    fieldName: text('field_name').notNull(),
    kind: text('kind', { enum: ['set', 'cleared', 'field_deleted', 'invalidated'] }).notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    callVersion: bigint('call_version', { mode: 'number' }).notNull(),
    actorUserId: uuid('actor_user_id'),
    actorUsername: text('actor_username'),
    actorTokenId: uuid('actor_token_id'),
    channel: text('channel', { enum: ['rest', 'graphql', 'import', 'admin', 'bulk'] }).notNull(),
    requestId: text('request_id'),
    clientAddress: text('client_address'),
    committedAt: instant('committed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.sequence] }),
    index('call_changes_call_idx').on(t.tenantId, t.callId, t.sequence),
    index('call_changes_committed_at_idx').on(t.tenantId, t.committedAt),
  ],
);

/**
 * Each tenant's last sequence number and commit time. A writer takes the
 * next numbers by updating its tenant's row as the last statement before
 * COMMIT; the row lock holds the next writer of that tenant until then, so
 * numbers become visible in order and a reader paging by sequence never
 * skips a record that commits later with a smaller number.
 */
export const changeLogHeads = pgTable('change_log_heads', {
  tenantId: uuid('tenant_id').primaryKey(),
  lastSequence: bigint('last_sequence', { mode: 'number' }).notNull(),
  lastCommittedAt: instant('last_committed_at').notNull(),
});

/**
 * A tenant's webhook endpoint (core/webhooks.ts). `fields` holds field ids,
 * null for every field. Secrets are stored sealed (store/webhook-secrets.ts):
 * a dump of this table alone does not reveal them. During a rotation the
 * previous secret also signs until `previous_secret_expires_at`.
 * `cursor_sequence` is how far the change log has been turned into deliveries.
 */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id),
    url: text('url').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    fields: jsonb('fields').$type<string[]>(),
    sealedSecret: text('sealed_secret').notNull(),
    sealedPreviousSecret: text('sealed_previous_secret'),
    previousSecretExpiresAt: instant('previous_secret_expires_at'),
    disabledReason: text('disabled_reason'),
    failingSince: instant('failing_since'),
    cursorSequence: bigint('cursor_sequence', { mode: 'number' }).notNull(),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (t) => [index('webhook_endpoints_tenant_idx').on(t.tenantId)],
);

/**
 * One event (a change set of the log, or a test event) owed to one endpoint.
 * `sequence` is the change set's first record's sequence (0 for a test event);
 * the event id is derived from endpoint and sequence, so every retry carries it.
 * Instances claim due rows with FOR UPDATE SKIP LOCKED and a lease; a lease
 * that expires (its instance died) makes the row claimable again.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    callId: uuid('call_id'),
    sequence: bigint('sequence', { mode: 'number' }).notNull(),
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    leaseUntil: instant('lease_until'),
    leasedBy: text('leased_by'),
    lastError: text('last_error'),
    createdAt: instant('created_at').notNull(),
    finishedAt: instant('finished_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_idx').on(t.endpointId, t.sequence),
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_call_idx').on(t.endpointId, t.callId, t.sequence),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
  ],
);

/** Each try of a delivery: when, how long, what came back. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: instant('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    responseBody: text('response_body'),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);
