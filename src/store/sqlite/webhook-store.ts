import { and, asc, desc, eq, inArray, lt, or } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { FieldFilter } from '../../core/webhooks.js';
import { openSecret, sealSecret } from '../webhook-secrets.js';
import type * as port from '../webhook-store.js';
import * as schema from './schema.js';

const { changeLogHeads, webhookAttempts, webhookDeliveries, webhookEndpoints } = schema;

type Db = BetterSQLite3Database<typeof schema>;
type EndpointRow = typeof webhookEndpoints.$inferSelect;

const fieldsOf = (text: string | null): FieldFilter => (text === null ? null : (JSON.parse(text) as string[]));
const fieldsText = (fields: FieldFilter): string | null => (fields === null ? null : JSON.stringify(fields));

function endpointRecord(row: EndpointRow): port.WebhookEndpointRecord {
  return {
    id: row.id,
    tenantId: row.tenantId,
    url: row.url,
    enabled: row.enabled,
    fields: fieldsOf(row.fields),
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    cursorSequence: row.cursorSequence,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The SQLite adapter of the webhook port; one process delivers, so no leases are contended. */
export class SqliteWebhookStore implements port.WebhookStore {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
  ) {}

  async createEndpoint(endpoint: port.NewWebhookEndpoint): Promise<port.WebhookEndpointRecord> {
    return this.db.transaction(
      (tx) => {
        const head = tx.select({ last: changeLogHeads.lastSequence }).from(changeLogHeads).where(eq(changeLogHeads.tenantId, endpoint.tenantId)).get();
        const row = tx
          .insert(webhookEndpoints)
          .values({
            id: endpoint.id,
            tenantId: endpoint.tenantId,
            url: endpoint.url,
            enabled: endpoint.enabled,
            fields: fieldsText(endpoint.fields),
            sealedSecret: sealSecret(this.key, endpoint.secret),
            cursorSequence: head?.last ?? 0,
            createdAt: endpoint.now,
            updatedAt: endpoint.now,
          })
          .returning()
          .get();
        return endpointRecord(row);
      },
      { behavior: 'immediate' },
    );
  }

  async listEndpoints(tenantId: string): Promise<port.WebhookEndpointRecord[]> {
    return this.db
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.tenantId, tenantId))
      .orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id))
      .all()
      .map(endpointRecord);
  }

  async getEndpoint(tenantId: string, id: string): Promise<port.WebhookEndpointRecord | null> {
    const row = this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
      .get();
    return row ? endpointRecord(row) : null;
  }

  async updateEndpoint(tenantId: string, id: string, change: port.WebhookEndpointChange, now: string): Promise<port.WebhookEndpointRecord | null> {
    const row = this.db
      .update(webhookEndpoints)
      .set({
        ...(change.url !== undefined && { url: change.url }),
        ...(change.fields !== undefined && { fields: fieldsText(change.fields) }),
        ...(change.enabled !== undefined && { enabled: change.enabled }),
        ...(change.enabled === true && { disabledReason: null, failingSince: null }),
        updatedAt: now,
      })
      .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
      .returning()
      .get();
    return row ? endpointRecord(row) : null;
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    const deleted = this.db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id)))
      .returning({ id: webhookEndpoints.id })
      .all();
    return deleted.length > 0;
  }

  async rotateSecret(tenantId: string, id: string, secret: string, previousUntil: string, now: string): Promise<port.WebhookEndpointRecord | null> {
    return this.db.transaction(
      (tx) => {
        const where = and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id));
        const current = tx.select({ sealed: webhookEndpoints.sealedSecret }).from(webhookEndpoints).where(where).get();
        if (!current) return null;
        const row = tx
          .update(webhookEndpoints)
          .set({ sealedSecret: sealSecret(this.key, secret), sealedPreviousSecret: current.sealed, previousSecretExpiresAt: previousUntil, updatedAt: now })
          .where(where)
          .returning()
          .get();
        return row ? endpointRecord(row) : null;
      },
      { behavior: 'immediate' },
    );
  }

  async signingSecrets(endpointId: string, now: string): Promise<string[]> {
    const row = this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).get();
    if (!row) return [];
    const secrets = [openSecret(this.key, row.sealedSecret)];
    if (row.sealedPreviousSecret && row.previousSecretExpiresAt && Date.parse(row.previousSecretExpiresAt) > Date.parse(now)) {
      secrets.push(openSecret(this.key, row.sealedPreviousSecret));
    }
    return secrets;
  }

  async listDeliveries(tenantId: string, endpointId: string, page: { first: number; after?: string | undefined }): Promise<port.WebhookDeliveryRecord[]> {
    if (!(await this.getEndpoint(tenantId, endpointId))) return [];
    const d = webhookDeliveries;
    const after = page.after ? this.db.select({ createdAt: d.createdAt, id: d.id }).from(d).where(and(eq(d.endpointId, endpointId), eq(d.id, page.after))).get() : undefined;
    const rows = this.db
      .select()
      .from(d)
      .where(and(eq(d.endpointId, endpointId), after ? or(lt(d.createdAt, after.createdAt), and(eq(d.createdAt, after.createdAt), lt(d.id, after.id))) : undefined))
      .orderBy(desc(d.createdAt), desc(d.id))
      .limit(page.first)
      .all();
    const attempts = rows.length
      ? this.db
          .select()
          .from(webhookAttempts)
          .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
          .orderBy(asc(webhookAttempts.attempt))
          .all()
      : [];
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
}
