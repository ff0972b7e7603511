import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { and, asc, count, eq, exists, getTableColumns, inArray, sql, type SQL } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgDialect, type PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { UUID, type CallRecord } from '../../core/call.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../../core/custom-field.js';
import {
  DuplicateError,
  ImportError,
  StoreConfigError,
  type ApiUserRecord,
  type ApiTokenSummary,
  type ApiUserSummary,
  type CallPage,
  type CallStore,
  type CustomFieldWriteOutcome,
  type DefineCustomFieldCommand,
  type DeleteCustomFieldCommand,
  type DeleteCustomFieldOutcome,
  type UpdateApiUserCommand,
  type UpdateApiUserOutcome,
  type UpdateCustomFieldCommand,
  type CallWithValues,
  type ListCallsQuery,
  type ImportCallsCommand,
  type NewCustomField,
  type SeedCommand,
  type SetCallCustomFieldsCommand,
  type SetCallCustomFieldsOutcome,
  type Tenant,
} from '../call-store.js';
import { callFilterWhere, keyset, orderBy } from './call-list-sql.js';
import { CONFLICT_MESSAGES } from '../../core/field-definition.js';
import { isRetryable, sqlState, translateError } from './pg-errors.js';
import { REQUEST_SQL, runStatement, toCall, toValue, type RequestStatement } from './request-statements.js';
import * as schema from './schema.js';
import { toCustomFieldValue, type ValueRow } from './value-row.js';

const { tenants, apiUsers, apiTokens, customFields, calls, callCustomFieldValues } = schema;

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle/pg', import.meta.url));

type Db = NodePgDatabase<typeof schema>;
/** The pool-level database or a transaction: both read the same way. */
type Reader = Db | PgTransaction<any, typeof schema, any>;

export interface PgStoreOptions {
  /** `postgres://` or `postgresql://` URL; `?schema=name` keeps every table (and the migration log) in that schema. */
  url: string;
  /** Connections in the pool (per process). */
  poolSize?: number;
  /** Server-side `statement_timeout`; 0 turns it off. */
  statementTimeoutMs?: number;
  /** How long to wait for a new connection, or for a free one from the pool; 0 waits forever. */
  connectTimeoutMs?: number;
  /** Runs of one transaction, counting the first, while PostgreSQL reports 40001 or 40P01. */
  maxAttempts?: number;
  /** Called with the text of every SQL statement a connection runs (parameters filled in); tests count them. */
  onStatement?: (sql: string) => void;
  /**
   * Send the per-request statements as named prepared statements (the
   * default); false sends them unnamed, for a pooler that cannot keep a
   * connection's prepared statements (PgBouncer before 1.21 in transaction mode).
   */
  preparedStatements?: boolean;
}

/** A statement's text with its `$n` parameters written in, for onStatement. */
function withParameters(text: string, values: unknown[] | undefined): string {
  if (!values?.length) return text;
  return text.replace(/\$(\d+)/g, (whole, n: string) => {
    const value = values[Number(n) - 1];
    if (value === undefined) return whole;
    if (value === null) return 'null';
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `'${String(value).replaceAll("'", "''")}'`;
  });
}

/** Reports every query a pool client runs, whether through pool.query or a checked-out client. */
function reportStatements(client: pg.PoolClient, onStatement: (sql: string) => void): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const [first, second] = args;
    if (typeof first === 'string') onStatement(withParameters(first, Array.isArray(second) ? second : undefined));
    else if (first && typeof first === 'object' && 'text' in first) {
      const config = first as { text: string; values?: unknown[] };
      onStatement(withParameters(config.text, config.values ?? (Array.isArray(second) ? second : undefined)));
    }
    return query(...args);
  };
}

export const PG_DEFAULTS = { poolSize: 10, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000, maxAttempts: 5 } as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Splits callgate's own `schema` parameter off the URL; the rest goes to the driver untouched. */
export function parsePgUrl(url: string): { connectionString: string; schema: string | null; where: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreConfigError('The database URL is not a valid postgres:// URL');
  }
  const schemaName = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  if (schemaName !== null && !SCHEMA_NAME.test(schemaName)) {
    throw new StoreConfigError(`The schema "${schemaName}" in the database URL must start with a lower-case letter or _, then lower-case letters, digits and _ (at most 63)`);
  }
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const where = `${host}:${parsed.port || 5432}${parsed.pathname}`;
  return { connectionString: parsed.toString(), schema: schemaName, where };
}

const { fieldId, tenantId, name, description, type, options, maxLength, editable, enabled, previousNames } = customFields;
const FIELD_COLUMNS = { fieldId, tenantId, name, description, type, options, maxLength, editable, enabled, previousNames };

const VALUE_COLUMNS = {
  fieldId: callCustomFieldValues.fieldId,
  name: customFields.name,
  value: callCustomFieldValues.value,
  updatedAt: callCustomFieldValues.updatedAt,
  updatedBy: apiUsers.username,
  type: customFields.type,
  options: customFields.options,
  maxLength: customFields.maxLength,
};

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Field names sort by code point, as SQLite's BINARY collation does, whatever the database's collation. */
const byName = sql`${customFields.name} collate "C"`;

/**
 * The PostgreSQL store: a `pg` pool shared by every request of this process,
 * and any number of processes on one database. Writes lock the call row
 * (`SELECT … FOR UPDATE`) before reading anything they decide on, so
 * concurrent updates of one call serialise; a transaction that fails with a
 * serialization failure or a deadlock runs again, a bounded number of times.
 *
 * What every request runs (token lookup, getCall, listCustomFields,
 * setCallCustomFields) goes straight to node-postgres as fixed, named prepared
 * statements (request-statements.ts); drizzle builds everything else.
 *
 * Every public method goes through `read`, `transaction` or
 * `clientTransaction`, which turn "the database is down or too slow" into
 * StoreUnavailableError.
 */
export class PgCallStore implements CallStore {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  /** The schema every table lives in, or null for the connection's search_path (normally `public`). */
  readonly schema: string | null;
  private readonly db: Db;
  private readonly where: string;
  private readonly maxAttempts: number;
  private readonly preparedStatements: boolean;
  private closed = false;

  constructor(options: PgStoreOptions) {
    const { connectionString, schema: schemaName, where } = parsePgUrl(options.url);
    this.schema = schemaName;
    this.where = where;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? PG_DEFAULTS.maxAttempts);
    this.preparedStatements = options.preparedStatements ?? true;
    const statementTimeout = options.statementTimeoutMs ?? PG_DEFAULTS.statementTimeoutMs;
    this.pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? PG_DEFAULTS.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? PG_DEFAULTS.connectTimeoutMs,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      application_name: 'callgate',
      ...(statementTimeout > 0 ? { statement_timeout: statementTimeout } : {}),
      ...(schemaName ? { options: `-c search_path=${schemaName}` } : {}),
    });
    // A connection that dies while idle or checked out reports here; the next query on it fails and is answered then.
    this.pool.on('error', () => {});
    const onStatement = options.onStatement;
    this.pool.on('connect', (client) => {
      client.on('error', () => {});
      if (onStatement) reportStatements(client, onStatement);
    });
    this.db = drizzle(this.pool, { schema });
  }

  async migrate(): Promise<void> {
    await this.read(async () => {
      const client = await this.pool.connect();
      try {
        // Several instances may start at once: one migrates, the others wait and then find nothing to do.
        const key = `callgate:migrate:${this.schema ?? ''}`;
        await client.query('select pg_advisory_lock(hashtext($1))', [key]);
        try {
          if (this.schema) await client.query(`create schema if not exists ${quoteIdent(this.schema)}`);
          const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS }).map((m) => ({ ...m, sql: m.sql.map((s) => this.retarget(s)) }));
          await new PgDialect().migrate(migrations, drizzle(client)._.session, {
            migrationsFolder: MIGRATIONS,
            migrationsSchema: this.schema ?? 'drizzle',
          });
        } finally {
          await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
        }
      } finally {
        client.release();
      }
    });
  }

  /** drizzle-kit names `"public".` in foreign keys; in a schema of our own, the checked-in SQL applies there instead. */
  private retarget(statement: string): string {
    return this.schema ? statement.replaceAll('"public".', `${quoteIdent(this.schema)}.`) : statement;
  }

  private migrationsTable(): string {
    return `${quoteIdent(this.schema ?? 'drizzle')}."__drizzle_migrations"`;
  }

  async checkReady(): Promise<{ ready: true } | { ready: false; reason: string }> {
    let applied: number;
    try {
      const result = await this.pool.query<{ n: number }>(`select count(*)::int as n from ${this.migrationsTable()}`);
      applied = result.rows[0]!.n;
    } catch (error) {
      return { ready: false, reason: sqlState(error) === '42P01' ? 'database not migrated' : 'database not reachable' };
    }
    const expected = readMigrationFiles({ migrationsFolder: MIGRATIONS }).length;
    return applied >= expected ? { ready: true } : { ready: false, reason: `${expected - applied} migration(s) not applied` };
  }

  /** The pool's connections: open, idle, and requests waiting for one. */
  stats(): Record<string, number> {
    return { pool_connections: this.pool.totalCount, pool_idle: this.pool.idleCount, pool_waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs statements outside a transaction, translating "database unavailable" failures. */
  private async read<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translateError(error, this.where, 1);
    }
  }

  /**
   * Runs `run` in one READ COMMITTED transaction. On a serialization failure
   * or a deadlock the transaction is rolled back and run again from the start,
   * up to `maxAttempts` runs in all, with a short randomised back-off.
   * `run` must therefore have no effects outside the transaction.
   */
  private async transaction<T>(run: (tx: PgTransaction<any, typeof schema, any>) => Promise<T>): Promise<T> {
    return this.retrying(() => this.db.transaction(run));
  }

  /**
   * `transaction` for the request statements: `run` gets the pooled
   * connection itself, between `begin` (the statement that opens the
   * transaction, with its isolation level) and commit or rollback. A
   * connection whose rollback fails is closed rather than returned to the pool.
   */
  private async clientTransaction<T>(begin: string, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        try {
          const result = await run(client);
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch((rollback: Error) => (broken = rollback));
          throw error;
        }
      } finally {
        client.release(broken);
      }
    });
  }

  /** Runs one whole transaction, again on a serialization failure or deadlock (see `transaction`). */
  private async retrying<T>(attemptOnce: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce();
      } catch (error) {
        if (isRetryable(error) && attempt < this.maxAttempts) {
          await sleep(Math.random() * 10 * 2 ** attempt);
          continue;
        }
        throw translateError(error, this.where, attempt);
      }
    }
  }

  /** Runs a write, turning a uniqueness violation into a DuplicateError. */
  private async write<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.read(run);
    } catch (error) {
      if (sqlState(error) === '23505') throw new DuplicateError(what);
      throw error;
    }
  }

  async findUserByUsername(username: string): Promise<ApiUserRecord | null> {
    return this.read(async () => (await this.run<ApiUserRecord>(this.pool, REQUEST_SQL.userByUsername, [username]))[0] ?? null);
  }

  async findUserByTokenHash(tokenHash: string): Promise<ApiUserRecord | null> {
    return this.read(async () => (await this.run<ApiUserRecord>(this.pool, REQUEST_SQL.userByTokenHash, [tokenHash]))[0] ?? null);
  }

  private run<Row extends pg.QueryResultRow>(db: pg.Pool | pg.PoolClient, statement: RequestStatement, values: unknown[]): Promise<Row[]> {
    return runStatement<Row>(db, statement, values, this.preparedStatements);
  }

  private async readCall(client: pg.PoolClient, tenantId: string, callId: string, forUpdate = false): Promise<CallRecord | undefined> {
    const [row] = await this.run<CallRecord>(client, forUpdate ? REQUEST_SQL.callForUpdate : REQUEST_SQL.call, [callId, tenantId]);
    return row && toCall(row);
  }

  private async readValues(client: pg.PoolClient, callId: string): Promise<CustomFieldValue[]> {
    return (await this.run<ValueRow>(client, REQUEST_SQL.values, [callId])).map(toValue);
  }

  /** The request statements' reading of readFields. */
  private requestFields(db: pg.Pool | pg.PoolClient, tenantId: string, includeDisabled: boolean): Promise<CustomFieldDefinition[]> {
    return this.run<CustomFieldDefinition>(db, includeDisabled ? REQUEST_SQL.allFields : REQUEST_SQL.enabledFields, [tenantId]);
  }

  private readFields(db: Reader, tenantId: string, includeDisabled: boolean): Promise<CustomFieldDefinition[]> {
    const where: SQL | undefined = includeDisabled
      ? eq(customFields.tenantId, tenantId)
      : and(eq(customFields.tenantId, tenantId), eq(customFields.enabled, true));
    return db
      .select(FIELD_COLUMNS)
      .from(customFields)
      .where(where)
      .orderBy(asc(byName), asc(customFields.fieldId));
  }

  async getCall(tenantId: string, callId: string): Promise<CallWithValues | null> {
    // One snapshot, so the version and the values belong together.
    return this.clientTransaction('begin isolation level repeatable read read only', async (client) => {
      const call = await this.readCall(client, tenantId, callId);
      return call ? { call, customFields: await this.readValues(client, callId) } : null;
    });
  }

  async listCustomFields(tenantId: string, options: { includeDisabled?: boolean } = {}): Promise<CustomFieldDefinition[]> {
    return this.read(() => this.requestFields(this.pool, tenantId, options.includeDisabled ?? false));
  }

  async listCalls(query: ListCallsQuery): Promise<CallPage> {
    const { order, window } = query;
    const matching = callFilterWhere(this.db, query.tenantId, query.filter);
    const reading = window.fromEnd === (order.direction === 'desc') ? 'asc' : 'desc';
    const total: SQL<number | null> = query.withTotal
      ? sql<number>`(${this.db.select({ n: sql`${count()}::int` }).from(calls).where(matching)})`
      : sql<null>`null::int`;
    // Rows behind where the page starts reading: up to `after` or within the offset (first), from `before` on (last).
    const behindKey = window.fromEnd ? window.before : window.after;
    const behindWhere = behindKey
      ? and(matching, keyset(order, window.fromEnd ? 'after' : 'before', behindKey, true))
      : !window.fromEnd && window.offset > 0
        ? matching
        : null;
    const behind: SQL<boolean> = behindWhere ? sql<boolean>`${exists(this.db.select({ one: sql`1` }).from(calls).where(behindWhere))}` : sql<boolean>`false`;

    return this.read(async () => {
      const rows = await this.db
        .select({ ...getTableColumns(calls), total: total.as('total'), behind: behind.as('behind') })
        .from(calls)
        .where(
          and(
            matching,
            window.after ? keyset(order, 'after', window.after) : undefined,
            window.before ? keyset(order, 'before', window.before) : undefined,
          ),
        )
        .orderBy(...orderBy(order, reading))
        .limit(window.take + 1)
        .offset(window.offset);

      let facts: { total: number | null; behind: boolean } = rows[0] ?? { total: query.withTotal ? 0 : null, behind: false };
      const windowed = window.after !== null || window.before !== null || window.offset > 0;
      if (rows.length === 0 && windowed && (query.withTotal || behindWhere)) {
        // An empty window: the page statement returned no row to carry the count and the flag.
        const result = await this.db.execute<{ total: number | null; behind: boolean }>(sql`select ${total} as total, ${behind} as behind`);
        facts = result.rows[0]!;
      }
      const page = rows.slice(0, window.take).map(({ total: _total, behind: _behind, ...call }) => call);
      if (window.fromEnd) page.reverse();
      return { calls: page, more: rows.length > window.take, behindCursor: Boolean(facts.behind), total: facts.total };
    });
  }

  async listCustomFieldValues(tenantId: string, callIds: readonly string[]): Promise<Map<string, CustomFieldValue[]>> {
    const byCall = new Map<string, CustomFieldValue[]>(callIds.map((id) => [id, []]));
    // Only a UUID can be a call id here; anything else would be a type error in PostgreSQL rather than no values.
    const ids = callIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return byCall;
    const rows = await this.read(() =>
      this.db
        .select({ callId: callCustomFieldValues.callId, ...VALUE_COLUMNS })
        .from(callCustomFieldValues)
        .innerJoin(customFields, eq(customFields.fieldId, callCustomFieldValues.fieldId))
        .leftJoin(apiUsers, eq(apiUsers.id, callCustomFieldValues.updatedBy))
        .where(and(inArray(callCustomFieldValues.callId, ids), eq(customFields.tenantId, tenantId), eq(customFields.enabled, true)))
        .orderBy(asc(byName), asc(customFields.fieldId)),
    );
    for (const { callId, ...value } of rows) byCall.get(callId)?.push(toCustomFieldValue(value));
    return byCall;
  }

  async setCallCustomFields(command: SetCallCustomFieldsCommand): Promise<SetCallCustomFieldsOutcome> {
    return this.clientTransaction('begin', async (client) => {
      // The row lock comes first: whoever holds it decides on the field definitions as they are now.
      const call = await this.readCall(client, command.tenantId, command.callId, true);
      if (!call) return { kind: 'not_found' } as const;
      if (command.expectedVersion !== undefined && call.version !== command.expectedVersion) {
        return { kind: 'version_conflict', currentVersion: call.version } as const;
      }
      const decision = command.decide(await this.requestFields(client, command.tenantId, true));
      if (!decision.ok) return { kind: 'invalid', problems: decision.problems } as const;
      if (decision.changes.length === 0) {
        return { kind: 'updated', call, customFields: await this.readValues(client, call.callId) } as const;
      }
      const cleared: string[] = [];
      const writtenIds: string[] = [];
      const writtenValues: string[] = [];
      for (const change of decision.changes) {
        if (change.value === null) cleared.push(change.fieldId);
        else {
          writtenIds.push(change.fieldId);
          writtenValues.push(change.value);
        }
      }
      if (cleared.length > 0) await this.run(client, REQUEST_SQL.clearValues, [call.callId, cleared]);
      if (writtenIds.length > 0) {
        await this.run(client, REQUEST_SQL.upsertValues, [call.callId, writtenIds, writtenValues, command.now, command.userId]);
      }
      const [updated] = await this.run<CallRecord>(client, REQUEST_SQL.bumpVersion, [call.callId]);
      return { kind: 'updated', call: toCall(updated!), customFields: await this.readValues(client, call.callId) } as const;
    });
  }

  async createTenant(tenant: Tenant & { now: string }): Promise<Tenant> {
    return this.write('a tenant with this name', async () => {
      await this.db.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: tenant.now });
      return { id: tenant.id, name: tenant.name };
    });
  }

  async findTenantByName(name: string): Promise<Tenant | null> {
    return this.read(async () => (await this.db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.name, name)))[0] ?? null);
  }

  async createApiUser(user: Parameters<CallStore['createApiUser']>[0]): Promise<void> {
    await this.write('a user with this username', async () => {
      await this.db
        .insert(apiUsers)
        .values({ id: user.id, tenantId: user.tenantId, username: user.username, passwordHash: user.passwordHash, role: user.role, createdAt: user.now });
    });
  }

  async createApiToken(token: Parameters<CallStore['createApiToken']>[0]): Promise<void> {
    await this.read(async () => {
      await this.db
        .insert(apiTokens)
        .values({ id: token.id, userId: token.userId, name: token.name, tokenHash: token.tokenHash, createdAt: token.now });
    });
  }

  async createCustomField(field: NewCustomField & { now: string }): Promise<CustomFieldDefinition> {
    return this.write('a custom field with this id or name', async () => {
      const { now, ...definition } = field;
      await this.db.insert(customFields).values({ ...definition, createdAt: now });
      return { ...definition, previousNames: [] };
    });
  }

  private async readField(db: Reader, tenantId: string, fieldId: string, forUpdate = false): Promise<CustomFieldDefinition | undefined> {
    if (!UUID.test(fieldId)) return undefined;
    const query = db
      .select(FIELD_COLUMNS)
      .from(customFields)
      .where(and(eq(customFields.tenantId, tenantId), eq(customFields.fieldId, fieldId)));
    return (await (forUpdate ? query.for('update') : query))[0];
  }

  async getCustomField(tenantId: string, fieldId: string): Promise<CustomFieldDefinition | null> {
    return this.read(async () => (await this.readField(this.db, tenantId, fieldId)) ?? null);
  }

  /** Serialises definition changes of one tenant (names are unique per tenant): a transaction-scoped advisory lock. */
  private async lockTenantFields(tx: Reader, tenantId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`callgate:fields:${tenantId}`}))`);
  }

  /** Writes a decided definition and the earlier names other fields give up to it. */
  private async writeDefinition(
    tx: Reader,
    field: CustomFieldDefinition,
    previousNamesChanges: { fieldId: string; previousNames: string[] }[],
    now: string | null,
  ): Promise<void> {
    const row = {
      name: field.name,
      description: field.description,
      type: field.type,
      options: field.options,
      maxLength: field.maxLength,
      editable: field.editable,
      enabled: field.enabled,
      previousNames: [...(field.previousNames ?? [])],
    };
    for (const change of previousNamesChanges) {
      await tx
        .update(customFields)
        .set({ previousNames: change.previousNames })
        .where(and(eq(customFields.fieldId, change.fieldId), eq(customFields.tenantId, field.tenantId)));
    }
    if (now === null) await tx.update(customFields).set(row).where(eq(customFields.fieldId, field.fieldId));
    else await tx.insert(customFields).values({ fieldId: field.fieldId, tenantId: field.tenantId, ...row, createdAt: now });
  }

  async defineCustomField(command: DefineCustomFieldCommand): Promise<CustomFieldWriteOutcome> {
    try {
      return await this.transaction(async (tx) => {
        await this.lockTenantFields(tx, command.tenantId);
        const decision = command.decide(await this.readFields(tx, command.tenantId, true));
        if (!decision.ok) return { kind: 'refused', refusal: decision.refusal } as const;
        await this.writeDefinition(tx, decision.field, decision.previousNamesChanges, command.now);
        return { kind: 'written', field: (await this.readField(tx, command.tenantId, decision.field.fieldId))!, invalidatedValues: 0 } as const;
      });
    } catch (error) {
      // Field ids are unique across tenants: another tenant's field may already have the id asked for.
      if (sqlState(error) === '23505') return { kind: 'refused', refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.duplicateId } };
      throw error;
    }
  }

  async updateCustomField(command: UpdateCustomFieldCommand): Promise<CustomFieldWriteOutcome> {
    return this.transaction(async (tx) => {
      await this.lockTenantFields(tx, command.tenantId);
      const current = await this.readField(tx, command.tenantId, command.fieldId, true);
      if (!current) return { kind: 'not_found' } as const;
      const fields = await this.readFields(tx, command.tenantId, true);
      let decision = command.decide(current, fields, null);
      if ('needsStoredValues' in decision) {
        const values = (
          await tx.select({ value: callCustomFieldValues.value }).from(callCustomFieldValues).where(eq(callCustomFieldValues.fieldId, current.fieldId))
        ).map((row) => row.value);
        decision = command.decide(current, fields, values);
      }
      if ('needsStoredValues' in decision) throw new Error('The update decision asked for stored values twice');
      if (!decision.ok) return { kind: 'refused', refusal: decision.refusal } as const;
      await this.writeDefinition(tx, decision.field, decision.previousNamesChanges, null);
      return {
        kind: 'written',
        field: (await this.readField(tx, command.tenantId, current.fieldId))!,
        invalidatedValues: decision.invalidatedValues,
      } as const;
    });
  }

  async deleteCustomField(command: DeleteCustomFieldCommand): Promise<DeleteCustomFieldOutcome> {
    return this.transaction(async (tx) => {
      await this.lockTenantFields(tx, command.tenantId);
      const field = await this.readField(tx, command.tenantId, command.fieldId, true);
      if (!field) return { kind: 'not_found' } as const;
      const ofField = eq(callCustomFieldValues.fieldId, field.fieldId);
      // Lock the calls that lose a value first, as a value write does, so the two serialise on the call row.
      const losers = await tx
        .select({ callId: calls.callId })
        .from(calls)
        .where(inArray(calls.callId, tx.select({ callId: callCustomFieldValues.callId }).from(callCustomFieldValues).where(ofField)))
        .orderBy(asc(calls.callId))
        .for('update');
      const stored = (await tx.select({ n: sql<number>`${count()}::int` }).from(callCustomFieldValues).where(ofField))[0]?.n ?? 0;
      const decision = command.decide(field, stored);
      if (!decision.ok) return { kind: 'refused', refusal: decision.refusal } as const;
      if (stored > 0) {
        await tx
          .update(calls)
          .set({ version: sql`${calls.version} + 1` })
          .where(inArray(calls.callId, losers.map((l) => l.callId)));
        await tx.delete(callCustomFieldValues).where(ofField);
      }
      await tx.delete(customFields).where(eq(customFields.fieldId, field.fieldId));
      return { kind: 'deleted', field, deletedValues: stored } as const;
    });
  }

  private selectUserSummaries(db: Reader) {
    return db
      .select({ id: apiUsers.id, username: apiUsers.username, role: apiUsers.role, disabled: apiUsers.disabled, createdAt: apiUsers.createdAt })
      .from(apiUsers);
  }

  async listApiUsers(tenantId: string): Promise<ApiUserSummary[]> {
    return this.read(() => this.selectUserSummaries(this.db).where(eq(apiUsers.tenantId, tenantId)).orderBy(sql`${apiUsers.username} collate "C"`));
  }

  async updateApiUser(command: UpdateApiUserCommand): Promise<UpdateApiUserOutcome> {
    return this.transaction(async (tx) => {
      // Every user of the tenant, locked: the decision (e.g. "keep one admin") holds against concurrent updates.
      const tenantUsers = await this.selectUserSummaries(tx)
        .where(eq(apiUsers.tenantId, command.tenantId))
        .orderBy(asc(apiUsers.id))
        .for('update');
      const user = tenantUsers.find((u) => u.username === command.username);
      if (!user) return { kind: 'not_found' } as const;
      const decision = command.decide(user, tenantUsers);
      if (!decision.ok) return { kind: 'refused', message: decision.message } as const;
      const { role, passwordHash, disabled } = command.change;
      const set: Partial<typeof apiUsers.$inferInsert> = {};
      if (role !== undefined) set.role = role;
      if (passwordHash !== undefined) set.passwordHash = passwordHash;
      if (disabled !== undefined) set.disabled = disabled;
      if (Object.keys(set).length > 0) await tx.update(apiUsers).set(set).where(eq(apiUsers.id, user.id));
      return { kind: 'updated', user: (await this.selectUserSummaries(tx).where(eq(apiUsers.id, user.id)))[0]! } as const;
    });
  }

  async replacePasswordHash(command: { userId: string; from: string; to: string }): Promise<boolean> {
    return this.read(async () => {
      const replaced = await this.db
        .update(apiUsers)
        .set({ passwordHash: command.to })
        .where(and(eq(apiUsers.id, command.userId), eq(apiUsers.passwordHash, command.from)))
        .returning({ id: apiUsers.id });
      return replaced.length > 0;
    });
  }

  private selectTokenSummaries(db: Reader) {
    return db
      .select({ id: apiTokens.id, name: apiTokens.name, username: apiUsers.username, createdAt: apiTokens.createdAt, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .innerJoin(apiUsers, eq(apiUsers.id, apiTokens.userId));
  }

  async listApiTokens(tenantId: string): Promise<ApiTokenSummary[]> {
    return this.read(() =>
      this.selectTokenSummaries(this.db)
        .where(eq(apiUsers.tenantId, tenantId))
        .orderBy(sql`${apiUsers.username} collate "C"`, asc(apiTokens.createdAt), asc(apiTokens.id)),
    );
  }

  async revokeApiToken(command: { tenantId: string; tokenId: string; now: string }): Promise<ApiTokenSummary | null> {
    if (!UUID.test(command.tokenId)) return null;
    return this.transaction(async (tx) => {
      const ofTenant = and(eq(apiTokens.id, command.tokenId), eq(apiUsers.tenantId, command.tenantId));
      const [token] = await this.selectTokenSummaries(tx).where(ofTenant).for('update', { of: apiTokens });
      if (!token) return null;
      if (token.revokedAt !== null) return token;
      await tx.update(apiTokens).set({ revokedAt: command.now }).where(eq(apiTokens.id, token.id));
      return { ...token, revokedAt: command.now };
    });
  }

  /** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters. */
  private static readonly IMPORT_CHUNK = 1000;

  async importCalls(command: ImportCallsCommand): Promise<number> {
    return this.transaction((tx) => this.insertCalls(tx, command));
  }

  private async insertCalls(tx: Reader, command: ImportCallsCommand): Promise<number> {
    const fields = await this.readFields(tx, command.tenantId, true);
    const seen = new Set<string>();
    for (let start = 0; start < command.calls.length; start += PgCallStore.IMPORT_CHUNK) {
      const chunk = command.calls.slice(start, start + PgCallStore.IMPORT_CHUNK);
      const ids = chunk.map(({ call }) => call.callId);
      const existing = new Set((await tx.select({ callId: calls.callId }).from(calls).where(inArray(calls.callId, ids))).map((r) => r.callId));
      const values: (typeof callCustomFieldValues.$inferInsert)[] = [];
      chunk.forEach(({ call, customFields: entries }, offset) => {
        const index = start + offset;
        if (existing.has(call.callId) || seen.has(call.callId)) throw new ImportError(index, `call ${call.callId} already exists`);
        seen.add(call.callId);
        const decision = command.decide(entries, fields);
        if (!decision.ok) {
          const p = decision.problems[0]!;
          throw new ImportError(index, `custom_fields.${p.index}${p.attribute ? `.${p.attribute}` : ''}: ${p.message}`);
        }
        for (const c of decision.changes) {
          if (c.value !== null) values.push({ callId: call.callId, fieldId: c.fieldId, value: c.value, updatedAt: command.now, updatedBy: null });
        }
      });
      await tx.insert(calls).values(chunk.map(({ call }) => ({ ...call, tenantId: command.tenantId, version: 1 })));
      for (let v = 0; v < values.length; v += PgCallStore.IMPORT_CHUNK) {
        await tx.insert(callCustomFieldValues).values(values.slice(v, v + PgCallStore.IMPORT_CHUNK));
      }
    }
    return command.calls.length;
  }

  async seed(command: SeedCommand): Promise<void> {
    const { now, tenant } = command;
    await this.write('a tenant, user or custom field of the seed', () =>
      this.transaction(async (tx) => {
        if (!tenant.existing) await tx.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: now });
        if (command.users.length > 0) await tx.insert(apiUsers).values(command.users.map((u) => ({ ...u, tenantId: tenant.id, createdAt: now })));
        if (command.tokens.length > 0) await tx.insert(apiTokens).values(command.tokens.map((t) => ({ ...t, createdAt: now })));
        if (command.fields.length > 0) await tx.insert(customFields).values(command.fields.map((f) => ({ ...f, tenantId: tenant.id, createdAt: now })));
        await this.insertCalls(tx, { tenantId: tenant.id, calls: command.calls, now, decide: command.decide });
      }),
    );
  }
}
