import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import { openSecret, sealSecret } from '../webhook-secrets.js';
import { deliveryRecords, endpointAfterAttempt } from '../webhook-records.js';
import { UnknownDeliveryCursor } from '../webhook-store.js';
import type * as port from '../webhook-store.js';
import * as schema from './schema.js';
import { instantFromDriver } from './schema.js';

const { changeLogHeads, webhookAttempts, webhookDeliveries, webhookEndpoints } = schema;

type Db = NodePgDatabase<typeof schema>;
type Tx = PgTransaction<any, typeof schema, any>;
type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const endpointRecord = (row: EndpointRow): port.WebhookEndpointRecord => ({
  id: row.id,
  tenantId: row.tenantId,
  url: row.url,
  enabled: row.enabled,
  fields: row.fields ?? null,
  disabledReason: row.disabledReason,
  failingSince: row.failingSince,
  cursorSequence: row.cursorSequence,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const ownEndpoint = (tenantId: string, id: string) => and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.id, id));

/** An endpoint or delivery id from a client: anything that is not a UUID names nothing (PostgreSQL would refuse it). */
const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * The PostgreSQL adapter of the webhook port. Several instances share the
 * work: a claim locks due rows with FOR UPDATE SKIP LOCKED and leases them,
 * so two instances do not attempt the same delivery while its lease lasts; a
 * lease that expires (its instance died mid-attempt) makes the row claimable
 * again, which is the only way one attempt is sent twice.
 */
export class PgWebhookStore implements port.WebhookStore {
  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    /** The store's retrying transaction (serialization failures, deadlocks, errors translated). */
    private readonly transaction: <T>(run: (tx: Tx) => Promise<T>) => Promise<T>,
  ) {}

  async createEndpoint(endpoint: port.NewWebhookEndpoint): Promise<port.WebhookEndpointRecord> {
    return this.transaction(async (tx) => {
      const [head] = await tx.select({ last: changeLogHeads.lastSequence }).from(changeLogHeads).where(eq(changeLogHeads.tenantId, endpoint.tenantId));
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({
          id: endpoint.id,
          tenantId: endpoint.tenantId,
          url: endpoint.url,
          enabled: endpoint.enabled,
          fields: endpoint.fields === null ? null : [...endpoint.fields],
          sealedSecret: sealSecret(this.key, endpoint.secret),
          cursorSequence: head?.last ?? 0,
          createdAt: endpoint.now,
          updatedAt: endpoint.now,
        })
        .returning();
      return endpointRecord(row!);
    });
  }

  async listEndpoints(tenantId: string): Promise<port.WebhookEndpointRecord[]> {
    const rows = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId)).orderBy(asc(webhookEndpoints.createdAt), asc(webhookEndpoints.id));
    return rows.map(endpointRecord);
  }

  async getEndpoint(tenantId: string, id: string): Promise<port.WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(webhookEndpoints).where(ownEndpoint(tenantId, id));
    return row ? endpointRecord(row) : null;
  }

  async updateEndpoint(tenantId: string, id: string, change: port.WebhookEndpointChange, now: string): Promise<port.WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db
      .update(webhookEndpoints)
      .set({
        ...(change.url !== undefined && { url: change.url }),
        ...(change.fields !== undefined && { fields: change.fields === null ? null : [...change.fields] }),
        ...(change.enabled !== undefined && { enabled: change.enabled }),
        ...(change.enabled === true && { disabledReason: null, failingSince: null }),
        updatedAt: now,
      })
      .where(ownEndpoint(tenantId, id))
      .returning();
    return row ? endpointRecord(row) : null;
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const deleted = await this.db.delete(webhookEndpoints).where(ownEndpoint(tenantId, id)).returning({ id: webhookEndpoints.id });
    return deleted.length > 0;
  }

  async rotateSecret(tenantId: string, id: string, secret: string, previousUntil: string, now: string): Promise<port.WebhookEndpointRecord | null> {
    if (!isUuid(id)) return null;
    return this.transaction(async (tx) => {
      const [current] = await tx.select({ sealed: webhookEndpoints.sealedSecret }).from(webhookEndpoints).where(ownEndpoint(tenantId, id)).for('update');
      if (!current) return null;
      const [row] = await tx
        .update(webhookEndpoints)
        .set({ sealedSecret: sealSecret(this.key, secret), sealedPreviousSecret: current.sealed, previousSecretExpiresAt: previousUntil, updatedAt: now })
        .where(ownEndpoint(tenantId, id))
        .returning();
      return row ? endpointRecord(row) : null;
    });
  }

  async signingSecrets(endpointId: string, now: string): Promise<string[]> {
    const [row] = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
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
    const [after] =
      page.after && isUuid(page.after) ? await this.db.select({ createdAt: d.createdAt, id: d.id }).from(d).where(and(eq(d.endpointId, endpointId), eq(d.id, page.after))) : [];
    if (page.after && !after) throw new UnknownDeliveryCursor(page.after);
    const rows = await this.db
      .select()
      .from(d)
      .where(and(eq(d.endpointId, endpointId), after ? or(lt(d.createdAt, after.createdAt), and(eq(d.createdAt, after.createdAt), lt(d.id, after.id))) : undefined))
      .orderBy(desc(d.createdAt), desc(d.id))
      .limit(page.first);
    return this.withAttempts(this.db, rows);
  }

  /** Delivery rows as records, with their attempts in order. */
  private async withAttempts(reader: Db | Tx, rows: DeliveryRow[]): Promise<port.WebhookDeliveryRecord[]> {
    const attempts = rows.length
      ? await reader
          .select()
          .from(webhookAttempts)
          .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
          .orderBy(asc(webhookAttempts.attempt))
      : [];
    return deliveryRecords(rows, attempts);
  }

  async enabledEndpoints(): Promise<port.WebhookEndpointRecord[]> {
    return (await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.enabled, true))).map(endpointRecord);
  }

  async enqueue(endpointId: string, deliveries: readonly port.NewWebhookDelivery[], cursor: number, now: string): Promise<void> {
    await this.transaction(async (tx) => {
      // Deleted meanwhile (an admin's delete while the worker read the log): nothing is owed to it.
      const [endpoint] = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).for('update');
      if (!endpoint) return;
      if (deliveries.length > 0) {
        await tx
          .insert(webhookDeliveries)
          .values(deliveries.map((d) => ({ ...d, endpointId, status: 'pending' as const, attempts: 0, nextAttemptAt: now, createdAt: now })))
          .onConflictDoNothing();
      }
      await tx
        .update(webhookEndpoints)
        .set({ cursorSequence: sql`greatest(${webhookEndpoints.cursorSequence}, ${cursor})` })
        .where(eq(webhookEndpoints.id, endpointId));
    });
  }

  async claimDue(owner: string, now: string, leaseUntil: string, limit: number): Promise<port.ClaimedDelivery[]> {
    // SKIP LOCKED: rows another instance is claiming right now are left to it. A row claimed and committed meanwhile is
    // re-checked when locked (its new lease fails `lease_until <= now`), so it is not claimed twice.
    const { rows } = await this.db.execute<{ id: string; endpointId: string; url: string; eventId: string; payload: string; attempts: number; createdAt: string | Date }>(sql`
      with due as (
        select c.id from webhook_deliveries c join webhook_endpoints e on e.id = c.endpoint_id
        where c.status = 'pending' and c.next_attempt_at <= ${now} and (c.lease_until is null or c.lease_until <= ${now}) and e.enabled
          and not exists (
            select 1 from webhook_deliveries p
            where p.endpoint_id = c.endpoint_id and p.call_id = c.call_id and p.status = 'pending' and p.sequence < c.sequence)
        order by c.next_attempt_at, c.sequence limit ${limit}
        for update of c skip locked)
      update webhook_deliveries d set lease_until = ${leaseUntil}, leased_by = ${owner}
      from due, webhook_endpoints e
      where d.id = due.id and e.id = d.endpoint_id
      returning d.id, d.endpoint_id as "endpointId", e.url, d.event_id as "eventId", d.payload, d.attempts, d.created_at as "createdAt"`);
    return rows.map((r) => ({ ...r, createdAt: instantFromDriver(r.createdAt) }));
  }

  async recordAttempt(r: port.WebhookAttemptResult): Promise<void> {
    await this.transaction(async (tx) => {
      // Deleted with its endpoint while the attempt was under way: there is nothing to record it on.
      const [delivery] = await tx.select({ id: webhookDeliveries.id }).from(webhookDeliveries).where(eq(webhookDeliveries.id, r.deliveryId)).for('update');
      if (!delivery) return;
      await tx
        .insert(webhookAttempts)
        .values({ deliveryId: r.deliveryId, attempt: r.attempt, startedAt: r.startedAt, durationMs: r.durationMs, statusCode: r.statusCode, error: r.error, responseBody: r.responseBody })
        .onConflictDoNothing();
      await tx
        .update(webhookDeliveries)
        .set({
          attempts: r.attempt,
          status: r.outcome === 'retry' ? 'pending' : r.outcome,
          nextAttemptAt: r.nextAttemptAt,
          leaseUntil: null,
          leasedBy: null,
          lastError: r.error,
          finishedAt: r.outcome === 'retry' ? null : r.now,
        })
        .where(eq(webhookDeliveries.id, r.deliveryId));
      const [endpoint] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, r.endpointId)).for('update');
      const change = endpoint && endpointAfterAttempt(endpoint.failingSince, r);
      if (change) await tx.update(webhookEndpoints).set(change).where(eq(webhookEndpoints.id, r.endpointId));
    });
  }

  async redeliver(tenantId: string, deliveryId: string, now: string): Promise<port.WebhookDeliveryRecord | null> {
    if (!isUuid(deliveryId)) return null;
    const d = webhookDeliveries;
    const [row] = await this.db
      .update(d)
      .set({ status: 'pending', nextAttemptAt: now, finishedAt: null, leaseUntil: null, leasedBy: null })
      .where(and(eq(d.id, deliveryId), inArray(d.endpointId, this.db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId)))))
      .returning();
    return row ? (await this.withAttempts(this.db, [row]))[0]! : null;
  }

  async queueTestEvent(
    tenantId: string,
    endpointId: string,
    now: string,
    event: (number: number) => { eventId: string; payload: string },
  ): Promise<port.WebhookDeliveryRecord | null> {
    if (!isUuid(endpointId)) return null;
    return this.transaction(async (tx) => {
      // The endpoint's row lock numbers concurrent test events one after the other.
      const [endpoint] = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(ownEndpoint(tenantId, endpointId)).for('update');
      if (!endpoint) return null;
      const d = webhookDeliveries;
      const [lowest] = await tx.select({ sequence: sql<string | null>`min(${d.sequence})` }).from(d).where(and(eq(d.endpointId, endpointId), lt(d.sequence, 0)));
      // Test events take sequences -1, -2, ...: below every change set's, and never blocking a call's order.
      const number = 1 - Math.min(Number(lowest?.sequence ?? 0), 0);
      const { eventId, payload } = event(number);
      const [row] = await tx
        .insert(d)
        .values({ id: randomUUID(), endpointId, eventId, callId: null, sequence: -number, payload, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now })
        .returning();
      return (await this.withAttempts(tx, [row!]))[0]!;
    });
  }

  async backlog(): Promise<port.WebhookBacklog[]> {
    const d = webhookDeliveries;
    const rows = await this.db
      .select({
        endpointId: webhookEndpoints.id,
        pending: sql<string>`count(${d.id})`,
        oldestPendingAt: sql<string | Date | null>`min(${d.createdAt})`,
      })
      .from(webhookEndpoints)
      .leftJoin(d, and(eq(d.endpointId, webhookEndpoints.id), eq(d.status, 'pending')))
      .groupBy(webhookEndpoints.id);
    return rows.map((r) => ({ endpointId: r.endpointId, pending: Number(r.pending), oldestPendingAt: r.oldestPendingAt === null ? null : instantFromDriver(r.oldestPendingAt) }));
  }
}
