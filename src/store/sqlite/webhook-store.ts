import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { FieldFilter } from '../../core/webhooks.js';
import { openSecret, sealSecret } from '../webhook-secrets.js';
import { deliveryRecords, endpointAfterAttempt } from '../webhook-records.js';
import { UnknownDeliveryCursor } from '../webhook-store.js';
import type * as port from '../webhook-store.js';
import * as schema from './schema.js';

const { changeLogHeads, webhookAttempts, webhookDeliveries, webhookEndpoints } = schema;

type Db = BetterSQLite3Database<typeof schema>;
type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

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

/** Runs a write in a transaction of its own, or (group commit) beside the other writes of this turn of the event loop. */
export type SqliteWrite = <T>(work: () => T) => Promise<T>;

/**
 * The SQLite adapter of the webhook port; one process delivers, so no leases
 * are contended. Its writes go through the store's group commit: the worker's
 * bookkeeping shares the fsyncs of the request writes instead of adding its own.
 */
export class SqliteWebhookStore implements port.WebhookStore {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly write: SqliteWrite,
  ) {}

  async createEndpoint(endpoint: port.NewWebhookEndpoint): Promise<port.WebhookEndpointRecord> {
    return this.write(
      () => {
        const head = this.db.select({ last: changeLogHeads.lastSequence }).from(changeLogHeads).where(eq(changeLogHeads.tenantId, endpoint.tenantId)).get();
        const row = this.db
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
    return this.write(
      () => {
        const where = and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id));
        const current = this.db.select({ sealed: webhookEndpoints.sealedSecret }).from(webhookEndpoints).where(where).get();
        if (!current) return null;
        const row = this.db
          .update(webhookEndpoints)
          .set({ sealedSecret: sealSecret(this.key, secret), sealedPreviousSecret: current.sealed, previousSecretExpiresAt: previousUntil, updatedAt: now })
          .where(where)
          .returning()
          .get();
        return row ? endpointRecord(row) : null;
      },
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
    if (page.after && !after) throw new UnknownDeliveryCursor(page.after);
    const rows = this.db
      .select()
      .from(d)
      .where(and(eq(d.endpointId, endpointId), after ? or(lt(d.createdAt, after.createdAt), and(eq(d.createdAt, after.createdAt), lt(d.id, after.id))) : undefined))
      .orderBy(desc(d.createdAt), desc(d.id))
      .limit(page.first)
      .all();
    return this.withAttempts(rows);
  }

  /** Delivery rows as records, with their attempts in order. */
  private withAttempts(rows: DeliveryRow[]): port.WebhookDeliveryRecord[] {
    const attempts = rows.length
      ? this.db
          .select()
          .from(webhookAttempts)
          .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
          .orderBy(asc(webhookAttempts.attempt))
          .all()
      : [];
    return deliveryRecords(rows, attempts);
  }

  async enabledEndpoints(): Promise<port.WebhookEndpointRecord[]> {
    return this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true)).all().map(endpointRecord);
  }

  async enqueue(endpointId: string, deliveries: readonly port.NewWebhookDelivery[], cursor: number, now: string): Promise<void> {
    await this.write(
      () => {
        // Deleted meanwhile (an admin's delete while the worker read the log): nothing is owed to it.
        if (!this.db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).get()) return;
        if (deliveries.length > 0) {
          this.db.insert(webhookDeliveries)
            .values(deliveries.map((d) => ({ ...d, endpointId, status: 'pending' as const, attempts: 0, nextAttemptAt: now, createdAt: now })))
            .onConflictDoNothing()
            .run();
        }
        this.db.update(webhookEndpoints)
          .set({ cursorSequence: sql`max(${webhookEndpoints.cursorSequence}, ${cursor})` })
          .where(eq(webhookEndpoints.id, endpointId))
          .run();
      },
    );
  }

  async claimDue(owner: string, now: string, leaseUntil: string, limit: number): Promise<port.ClaimedDelivery[]> {
    // Most rounds end with nothing due: a read says so without a write transaction (and its fsync).
    const d = webhookDeliveries;
    const due = this.db
      .select({ id: d.id })
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, now), or(isNull(d.leaseUntil), lte(d.leaseUntil, now))))
      .limit(1)
      .get();
    if (!due) return [];
    const claimed = await this.write(() => this.db.all<Omit<port.ClaimedDelivery, 'url'>>(sql`
      update webhook_deliveries set lease_until = ${leaseUntil}, leased_by = ${owner}
      where id in (
        select c.id from webhook_deliveries c join webhook_endpoints e on e.id = c.endpoint_id
        where c.status = 'pending' and c.next_attempt_at <= ${now} and (c.lease_until is null or c.lease_until <= ${now}) and e.enabled = 1
          and not exists (
            select 1 from webhook_deliveries p
            where p.endpoint_id = c.endpoint_id and p.call_id = c.call_id and p.status = 'pending' and p.sequence < c.sequence)
        order by c.next_attempt_at, c.sequence limit ${limit})
      returning id, endpoint_id as endpointId, event_id as eventId, payload, attempts, created_at as createdAt`));
    if (claimed.length === 0) return [];
    const ids = [...new Set(claimed.map((c) => c.endpointId))];
    const urls = new Map(
      this.db.select({ id: webhookEndpoints.id, url: webhookEndpoints.url }).from(webhookEndpoints).where(inArray(webhookEndpoints.id, ids)).all().map((e) => [e.id, e.url]),
    );
    return claimed.map((c) => ({ ...c, url: urls.get(c.endpointId)! }));
  }

  async recordAttempt(r: port.WebhookAttemptResult): Promise<void> {
    await this.write(
      () => {
        // Deleted with its endpoint while the attempt was under way: there is nothing to record it on.
        if (!this.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, r.deliveryId)).get()) return;
        this.db.insert(webhookAttempts)
          .values({ deliveryId: r.deliveryId, attempt: r.attempt, startedAt: r.startedAt, durationMs: r.durationMs, statusCode: r.statusCode, error: r.error, responseBody: r.responseBody })
          .onConflictDoNothing()
          .run();
        this.db.update(webhookDeliveries)
          .set({
            attempts: r.attempt,
            status: r.outcome === 'retry' ? 'pending' : r.outcome,
            nextAttemptAt: r.nextAttemptAt,
            leaseUntil: null,
            leasedBy: null,
            lastError: r.error,
            finishedAt: r.outcome === 'retry' ? null : r.now,
          })
          .where(eq(webhookDeliveries.id, r.deliveryId))
          .run();
        const endpoint = this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, r.endpointId)).get();
        const change = endpoint && endpointAfterAttempt(endpoint.failingSince, r);
        if (change) this.db.update(webhookEndpoints).set(change).where(eq(webhookEndpoints.id, r.endpointId)).run();
      },
    );
  }

  async redeliver(tenantId: string, deliveryId: string, now: string): Promise<port.WebhookDeliveryRecord | null> {
    const d = webhookDeliveries;
    const owned = this.db
      .select({ id: d.id })
      .from(d)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, d.endpointId))
      .where(and(eq(d.id, deliveryId), eq(webhookEndpoints.tenantId, tenantId)))
      .get();
    if (!owned) return null;
    const row = this.db.update(d).set({ status: 'pending', nextAttemptAt: now, finishedAt: null, leaseUntil: null, leasedBy: null }).where(eq(d.id, deliveryId)).returning().get();
    return row ? this.withAttempts([row])[0]! : null;
  }

  async queueTestEvent(
    tenantId: string,
    endpointId: string,
    now: string,
    event: (number: number) => { eventId: string; payload: string },
  ): Promise<port.WebhookDeliveryRecord | null> {
    return this.write(
      () => {
        const endpoint = this.db
          .select({ id: webhookEndpoints.id })
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, endpointId)))
          .get();
        if (!endpoint) return null;
        const d = webhookDeliveries;
        const lowest = this.db.select({ sequence: sql<number | null>`min(${d.sequence})` }).from(d).where(and(eq(d.endpointId, endpointId), lt(d.sequence, 0))).get();
        // Test events take sequences -1, -2, ...: below every change set's, and never blocking a call's order.
        const number = 1 - Math.min(lowest?.sequence ?? 0, 0);
        const { eventId, payload } = event(number);
        const row = this.db
          .insert(d)
          .values({ id: randomUUID(), endpointId, eventId, callId: null, sequence: -number, payload, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
          .returning()
          .get();
        return this.withAttempts([row])[0]!;
      },
    );
  }

  async backlog(): Promise<port.WebhookBacklog[]> {
    const d = webhookDeliveries;
    return this.db
      .select({
        endpointId: webhookEndpoints.id,
        pending: sql<number>`count(${d.id})`,
        oldestPendingAt: sql<string | null>`min(${d.createdAt})`,
      })
      .from(webhookEndpoints)
      .leftJoin(d, and(eq(d.endpointId, webhookEndpoints.id), eq(d.status, 'pending')))
      .groupBy(webhookEndpoints.id)
      .all();
  }
}
