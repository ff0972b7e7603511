import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { and, asc, count, desc, eq, exists, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { PgDialect, type PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { TokenKey } from '../../core/account-list.js';
import type { CredentialKey } from '../../core/api-user.js';
import { filtersNothing } from '../../core/call-filter.js';
import { UUID, type CallRecord } from '../../core/call.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../../core/custom-field.js';
import { DuplicateError, StoreConfigError } from '../call-store.js';
import type * as port from '../call-store.js';
import { callFilterWhere, keyset, orderBy } from './call-list-sql.js';
import { accountPageOf, accountPageSql } from '../account-pages.js';
import type { FieldChange } from '../../core/change-set.js';
import type { ChangeRecord } from '../../core/change-log.js';
import { changeQueryWhere, changeRows, isTailRead, toChangeRecord, type ChangeRow } from '../change-log-query.js';
import type { PreviousNamesChange } from '../../core/field-definition.js';
import { isRetryable, sqlState, translateError } from './pg-errors.js';
import { CHANGES_CHANNEL, PgChangeListener } from './change-notifier.js';
import { credentialHolder, firstPageStatement, REQUEST_SQL, runStatement, toCall, toValue, type RequestStatement } from './request-statements.js';
import * as schema from './schema.js';
import { PgWebhookStore } from './webhook-store.js';
import { loadWebhookKey } from '../webhook-secrets.js';
import type { WebhookStore } from '../webhook-store.js';
import { tokenSummaryColumns, userSummaryColumns } from '../summary-columns.js';
import * as workflows from '../workflows.js';
import { awaited, duplicateFieldId, runAsync } from '../workflows.js';
import type { ValueRow } from './value-row.js';

const { tenants, apiUsers, apiTokens, customFields, calls, callCustomFieldValues, callChanges, changeLogHeads } = schema;

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
  /** Benchmark comparisons only: false writes no change log (there is no such setting in production). */
  changeLog?: boolean;
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

/** A statement that must run outside a transaction (see migrate). */
const ONLINE_INDEX = /\b(create|drop)\s+index\s+concurrently\b/i;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Field names sort by code point, as SQLite's BINARY collation does, whatever the database's collation. */
const byName = sql`${customFields.name} collate "C"`;

/** What finds a credential's user: the token's hash or the username. */
const credentialValue = (credential: CredentialKey): string => (credential.kind === 'token' ? credential.tokenHash : credential.username);

/** credentialHolder as a drizzle column, its one parameter bound to the credential. */
function credentialHolderSql(credential: CredentialKey): SQL {
  const [before, after] = credentialHolder(credential.kind, '\0').split('\0') as [string, string];
  return sql`${sql.raw(before)}${credentialValue(credential)}${sql.raw(after)}`;
}

/** A callWithValues row as the port's CallWithValues. Takes over the row. */
function callWithValuesOf({ customFields, ...call }: CallRecord & { customFields: ValueRow[] }): port.CallWithValues {
  return { call: toCall(call), customFields: customFields.map(toValue) };
}

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
export class PgCallStore implements port.CallStore {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  /** The schema every table lives in, or null for the connection's search_path (normally `public`). */
  readonly schema: string | null;
  private readonly db: Db;
  private readonly where: string;
  private readonly maxAttempts: number;
  private readonly preparedStatements: boolean;
  private readonly changeLog: boolean;
  private readonly changeListener: PgChangeListener;
  private closed = false;

  constructor(options: PgStoreOptions) {
    const { connectionString, schema: schemaName, where } = parsePgUrl(options.url);
    this.schema = schemaName;
    this.where = where;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? PG_DEFAULTS.maxAttempts);
    this.preparedStatements = options.preparedStatements ?? true;
    this.changeLog = options.changeLog ?? true;
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
    this.changeListener = new PgChangeListener({ connectionString, connectionTimeoutMillis: options.connectTimeoutMs ?? PG_DEFAULTS.connectTimeoutMs, application_name: 'callgate' });
  }

  /**
   * Applies the pending migrations (`count`: only the first so many, for tests of an upgrade). drizzle applies a run of
   * migrations in one transaction; a migration that builds or drops an index CONCURRENTLY cannot run in one, so it is
   * applied on its own after the migrations before it, statement by statement (see applyOnline).
   */
  async migrate(options: { count?: number } = {}): Promise<void> {
    await this.read(async () => {
      const client = await this.pool.connect();
      try {
        // Several instances may start at once: one migrates, the others wait and then find nothing to do. They wait
        // by polling, outside any statement: an index built CONCURRENTLY waits for every snapshot older than itself,
        // and a session blocked in pg_advisory_lock would hold one.
        const key = `callgate:migrate:${this.schema ?? ''}`;
        while (!(await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [key])).rows[0]!.locked) await sleep(100);
        try {
          if (this.schema) await client.query(`create schema if not exists ${quoteIdent(this.schema)}`);
          const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS })
            .slice(0, options.count)
            .map((m) => ({ ...m, sql: m.sql.map((s) => this.retarget(s)) }));
          // Typed as migrate takes it: TypeScript's variance check of PgSession's schema parameter depends on check order here.
          const session = drizzle(client)._.session as unknown as Parameters<PgDialect['migrate']>[1];
          const config = { migrationsFolder: MIGRATIONS, migrationsSchema: this.schema ?? 'drizzle' };
          const dialect = new PgDialect();
          for (const [i, migration] of migrations.entries()) {
            if (!migration.sql.some((statement) => ONLINE_INDEX.test(statement))) continue;
            await dialect.migrate(migrations.slice(0, i), session, config);
            await this.applyOnline(client, migration);
          }
          await dialect.migrate(migrations, session, config);
        } finally {
          await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
        }
      } finally {
        client.release();
      }
    });
  }

  /**
   * A migration of CONCURRENTLY index statements, each outside a transaction: writes to the table go on while the
   * index builds, however long (no statement timeout here). Each statement must be safe to run again
   * (IF [NOT] EXISTS): should the process stop midway, the next start runs the migration again, and first drops an
   * index left invalid by a build that did not finish. The migration is recorded as drizzle records it.
   */
  private async applyOnline(client: pg.PoolClient, migration: { sql: string[]; folderMillis: number; hash: string }): Promise<void> {
    const applied = await client.query(`select 1 from ${this.migrationsTable()} where created_at >= $1 limit 1`, [migration.folderMillis]);
    if (applied.rowCount) return;
    await client.query('set statement_timeout = 0');
    try {
      for (const statement of migration.sql) {
        const built = /create\s+index\s+concurrently\s+if\s+not\s+exists\s+"([^"]+)"/i.exec(statement)?.[1];
        if (built) {
          const leftover = await client.query(
            `select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
             where c.relname = $1 and c.relnamespace = current_schema()::regnamespace and not i.indisvalid`,
            [built],
          );
          if (leftover.rowCount) await client.query(`drop index concurrently if exists ${quoteIdent(built)}`);
        }
        await client.query(statement);
      }
    } finally {
      await client.query('reset statement_timeout');
    }
    await client.query(`insert into ${this.migrationsTable()} (hash, created_at) values ($1, $2)`, [migration.hash, migration.folderMillis]);
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
    await this.changeListener.close();
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
  private async transaction<T>(run: (tx: PgTransaction<any, typeof schema, any>) => Promise<T>, options: { once?: boolean } = {}): Promise<T> {
    return this.retrying(() => this.db.transaction(run), options.once ? 1 : this.maxAttempts);
  }

  /**
   * `transaction` for the request statements: `run` gets the pooled
   * connection itself, between `begin` (the statement that opens the
   * transaction, with its isolation level) and commit or rollback; `run`
   * may send the COMMIT itself (and say so in `transaction.committed`). A
   * connection whose rollback fails is closed rather than returned to the pool.
   */
  private async clientTransaction<T>(begin: string, run: (client: pg.PoolClient, transaction: { committed: boolean }) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        try {
          const transaction = { committed: false };
          const result = await run(client, transaction);
          if (!transaction.committed) await client.query('commit');
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
  private async retrying<T>(attemptOnce: () => Promise<T>, maxAttempts = this.maxAttempts): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptOnce();
      } catch (error) {
        if (isRetryable(error) && attempt < maxAttempts) {
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

  async findUserByUsername(username: string): Promise<port.ApiUserRecord | null> {
    return this.read(async () => (await this.run<port.ApiUserRecord>(this.pool, REQUEST_SQL.userByUsername, [username]))[0] ?? null);
  }

  async findUserByTokenHash(tokenHash: string): Promise<port.ApiUserRecord | null> {
    return this.read(async () => (await this.run<port.ApiUserRecord>(this.pool, REQUEST_SQL.userByTokenHash, [tokenHash]))[0] ?? null);
  }

  private run<Row extends pg.QueryResultRow>(db: pg.Pool | pg.PoolClient, statement: RequestStatement, values: unknown[]): Promise<Row[]> {
    return runStatement<Row>(db, statement, values, this.preparedStatements);
  }

  /** The request statements' reading of readFields. */
  private requestFields(db: pg.Pool | pg.PoolClient, tenantId: string, includeDisabled: boolean): Promise<CustomFieldDefinition[]> {
    return this.run<CustomFieldDefinition>(db, includeDisabled ? REQUEST_SQL.allFields : REQUEST_SQL.enabledFields, [tenantId]);
  }

  async getCall(tenantId: string, callId: string): Promise<port.CallWithValues | null> {
    if (!UUID.test(callId)) return null;
    return this.read(async () => {
      const [row] = await this.run<CallRecord & { customFields: ValueRow[] }>(this.pool, REQUEST_SQL.callWithValues, [callId, tenantId]);
      return row ? callWithValuesOf(row) : null;
    });
  }

  readonly credentialed: port.CredentialedReads = {
    getCall: async (credential, tenantId, callId) => {
      if (!UUID.test(callId)) return { found: null, user: undefined };
      const statement = credential.kind === 'token' ? REQUEST_SQL.callWithValuesByToken : REQUEST_SQL.callWithValuesByUsername;
      return this.read(async () => {
        const [row] = await this.run<CallRecord & { customFields: ValueRow[]; holder: port.ApiUserRecord | null }>(this.pool, statement, [
          callId,
          tenantId,
          credentialValue(credential),
        ]);
        if (!row) return { found: null, user: undefined };
        const { holder, ...found } = row;
        return { found: callWithValuesOf(found), user: holder };
      });
    },
    listCalls: async (credential, query) => {
      const { page, first } = await this.pageOfCalls(query, credential);
      return { page, user: first ? (first.holder as port.ApiUserRecord | null) : undefined };
    },
  };

  async listCustomFields(tenantId: string, options: { includeDisabled?: boolean } = {}): Promise<CustomFieldDefinition[]> {
    return this.read(() => this.requestFields(this.pool, tenantId, options.includeDisabled ?? false));
  }

  async listCalls(query: port.ListCallsQuery): Promise<port.CallPage> {
    return (await this.pageOfCalls(query)).page;
  }

  /**
   * listCalls, with a credentialHolder column of `credential` on every row; `first`, the page statement's first row
   * (none for an empty page). The first page of every call, in any order, is a prepared statement; drizzle builds
   * the others.
   */
  private async pageOfCalls(
    query: port.ListCallsQuery,
    credential?: CredentialKey,
  ): Promise<{ page: port.CallPage; first: { holder?: unknown } | undefined }> {
    const { order, window } = query;
    if (!window.fromEnd && window.after === null && window.before === null && window.offset === 0 && filtersNothing(query.filter)) {
      const statement = firstPageStatement(order, query.withTotal, credential?.kind ?? null);
      const key = credential ? [credentialValue(credential)] : [];
      return this.read(async () => {
        const rows = await this.run<CallRecord & { total: number | null; holder?: unknown }>(this.pool, statement, [query.tenantId, window.take + 1, ...key]);
        const page = rows.slice(0, window.take).map(({ total: _total, holder: _holder, ...call }) => toCall(call));
        const total = rows[0]?.total ?? (query.withTotal ? 0 : null);
        return { page: { calls: page, more: rows.length > window.take, behindCursor: false, total }, first: rows[0] };
      });
    }
    const extra = credential ? credentialHolderSql(credential) : sql`null`;
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
        .select({ ...getTableColumns(calls), total: total.as('total'), behind: behind.as('behind'), holder: extra.as('holder') })
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
      const page = rows.slice(0, window.take).map(({ total: _total, behind: _behind, holder: _holder, ...call }) => call);
      if (window.fromEnd) page.reverse();
      return { page: { calls: page, more: rows.length > window.take, behindCursor: Boolean(facts.behind), total: facts.total }, first: rows[0] };
    });
  }

  async listCustomFieldValues(tenantId: string, callIds: readonly string[]): Promise<Map<string, CustomFieldValue[]>> {
    const byCall = new Map<string, CustomFieldValue[]>(callIds.map((id) => [id, []]));
    // Only a UUID can be a call id here; anything else would be a type error in PostgreSQL rather than no values.
    const ids = callIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return byCall;
    const rows = await this.read(() => this.run<ValueRow & { callId: string }>(this.pool, REQUEST_SQL.valuesOfCalls, [ids, tenantId]));
    for (const row of rows) byCall.get(row.callId)?.push(toValue(row));
    return byCall;
  }

  async setCallCustomFields(command: port.SetCallCustomFieldsCommand): Promise<port.SetCallCustomFieldsOutcome> {
    return this.clientTransaction('begin', (client, transaction) =>
      runAsync(workflows.setCallCustomFields(new PgCallValuePrimitives(client, this.preparedStatements, this.changeLog, transaction), command)),
    );
  }

  async applyBulkEditBatch(command: port.BulkEditBatchCommand): Promise<port.BulkEditBatchOutcome> {
    // A batch commits many calls in one transaction: no call's commitChange may send the COMMIT (null).
    return this.clientTransaction('begin', (client) =>
      runAsync(workflows.applyBulkEditBatch(new PgCallValuePrimitives(client, this.preparedStatements, this.changeLog, null), command)),
    );
  }

  async readChanges(query: port.ChangeQuery): Promise<ChangeRecord[]> {
    if (isTailRead(query)) {
      const tail = await this.read(() => this.run<ChangeRow>(this.pool, REQUEST_SQL.changeTail, [query.tenantId, query.afterSequence, query.limit]));
      return tail.map((row) => toChangeRecord({ ...row, committedAt: schema.instantFromDriver(row.committedAt) }));
    }
    const rows = await this.read(() =>
      this.db
        .select()
        .from(callChanges)
        .where(changeQueryWhere(callChanges, query, (id) => UUID.test(id)))
        .orderBy(query.order === 'asc' ? asc(callChanges.sequence) : desc(callChanges.sequence))
        .limit(query.limit),
    );
    return rows.map(toChangeRecord);
  }

  watchChanges(onWake: (wake: port.ChangeWake) => void): () => Promise<void> {
    return this.changeListener.watch(onWake);
  }

  async deleteChangesBefore(before: string, batch: number): Promise<number> {
    let deleted = 0;
    const tenantIds = await this.read(() => this.db.select({ id: tenants.id }).from(tenants));
    for (const { id } of tenantIds) {
      // One tenant's oldest records at a time, each batch its own short transaction, by the (tenant, commit time) index.
      const oldest = this.db
        .select({ sequence: callChanges.sequence })
        .from(callChanges)
        .where(and(eq(callChanges.tenantId, id), lt(callChanges.committedAt, before)))
        .orderBy(asc(callChanges.committedAt))
        .limit(batch);
      const done = await this.read(() =>
        this.db.delete(callChanges).where(and(eq(callChanges.tenantId, id), inArray(callChanges.sequence, oldest))).returning({ sequence: callChanges.sequence }),
      );
      deleted += done.length;
    }
    return deleted;
  }

  /** Webhook endpoints and deliveries, shared by every instance; secrets sealed with WEBHOOK_SECRET_KEY, which PostgreSQL requires. */
  webhooks(options: { secretKey?: string | undefined } = {}): WebhookStore {
    return new PgWebhookStore(this.db, loadWebhookKey({ envKey: options.secretKey }), (run) => this.transaction(run));
  }

  async createTenant(tenant: port.Tenant & { now: string }): Promise<port.Tenant> {
    return this.write('a tenant with this name', async () => {
      await this.db.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: tenant.now });
      return { id: tenant.id, name: tenant.name };
    });
  }

  async findTenantByName(name: string): Promise<port.Tenant | null> {
    return this.read(async () => (await this.db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.name, name)))[0] ?? null);
  }

  async createApiUser(user: Parameters<port.CallStore['createApiUser']>[0]): Promise<void> {
    await this.write('a user with this username', async () => {
      await this.db
        .insert(apiUsers)
        .values({ id: user.id, tenantId: user.tenantId, username: user.username, passwordHash: user.passwordHash, role: user.role, createdAt: user.now });
    });
  }

  async createApiToken(token: Parameters<port.CallStore['createApiToken']>[0]): Promise<void> {
    await this.read(async () => {
      await this.db
        .insert(apiTokens)
        .values({ id: token.id, userId: token.userId, name: token.name, tokenHash: token.tokenHash, createdAt: token.now });
    });
  }

  async createCustomField(field: port.NewCustomField & { now: string }): Promise<CustomFieldDefinition> {
    return this.write('a custom field with this id or name', async () => {
      const { now, ...definition } = field;
      await this.db.insert(customFields).values({ ...definition, createdAt: now });
      return { ...definition, previousNames: [] };
    });
  }

  async getCustomField(tenantId: string, fieldId: string): Promise<CustomFieldDefinition | null> {
    if (!UUID.test(fieldId)) return null;
    return this.read(async () => (await selectField(this.db, tenantId, fieldId))[0] ?? null);
  }

  async defineCustomField(command: port.DefineCustomFieldCommand): Promise<port.CustomFieldWriteOutcome> {
    try {
      return await this.inTransaction((p) => workflows.defineCustomField(p, command));
    } catch (error) {
      if (sqlState(error) === '23505') return duplicateFieldId();
      throw error;
    }
  }

  async updateCustomField(command: port.UpdateCustomFieldCommand): Promise<port.CustomFieldWriteOutcome> {
    return this.inTransaction((p) => workflows.updateCustomField(p, command));
  }

  async deleteCustomField(command: port.DeleteCustomFieldCommand): Promise<port.DeleteCustomFieldOutcome> {
    return this.inTransaction((p) => workflows.deleteCustomField(p, command));
  }

  async listApiUsers(tenantId: string): Promise<port.ApiUserSummary[]> {
    return this.read(() => selectUserSummaries(this.db).where(eq(apiUsers.tenantId, tenantId)).orderBy(sql`${apiUsers.username} collate "C"`));
  }

  async pageApiUsers(query: port.AccountPageQuery<string>): Promise<port.AccountPage<port.ApiUserSummary>> {
    const page = accountPageSql(query.window, [sql`${apiUsers.username} collate "C"`], (username) => [username]);
    const ofTenant = eq(apiUsers.tenantId, query.tenantId);
    return this.read(async () => {
      const read = await selectUserSummaries(this.db).where(and(ofTenant, page.where)).orderBy(...page.orderBy).limit(page.limit);
      const behind = page.behind !== null && (await selectUserSummaries(this.db).where(and(ofTenant, page.behind)).limit(1)).length > 0;
      const total = query.withTotal ? (await this.db.select({ n: count() }).from(apiUsers).where(ofTenant))[0]!.n : null;
      return { ...accountPageOf(query.window, read, behind), total };
    });
  }

  async updateApiUser(command: port.UpdateApiUserCommand): Promise<port.UpdateApiUserOutcome> {
    return this.inTransaction((p) => workflows.updateApiUser(p, command));
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

  async listApiTokens(tenantId: string): Promise<port.ApiTokenSummary[]> {
    return this.read(() =>
      selectTokenSummaries(this.db)
        .where(eq(apiUsers.tenantId, tenantId))
        .orderBy(sql`${apiUsers.username} collate "C"`, asc(apiTokens.createdAt), asc(apiTokens.id)),
    );
  }

  async pageApiTokens(query: port.AccountPageQuery<TokenKey>): Promise<port.AccountPage<port.ApiTokenSummary>> {
    const page = accountPageSql(query.window, [sql`${apiTokens.createdAt}`, sql`${apiTokens.id}`], (key) => [key.createdAt, key.id]);
    const ofTenant = eq(apiUsers.tenantId, query.tenantId);
    return this.read(async () => {
      const read = await selectTokenSummaries(this.db).where(and(ofTenant, page.where)).orderBy(...page.orderBy).limit(page.limit);
      const behind = page.behind !== null && (await selectTokenSummaries(this.db).where(and(ofTenant, page.behind)).limit(1)).length > 0;
      const total = query.withTotal
        ? (await this.db.select({ n: count() }).from(apiTokens).innerJoin(apiUsers, eq(apiUsers.id, apiTokens.userId)).where(ofTenant))[0]!.n
        : null;
      return { ...accountPageOf(query.window, read, behind), total };
    });
  }

  async revokeApiToken(command: { tenantId: string; tokenId: string; now: string }): Promise<port.ApiTokenSummary | null> {
    if (!UUID.test(command.tokenId)) return null;
    return this.inTransaction((p) => workflows.revokeApiToken(p, command));
  }

  /** Run once, never again from the start: the calls are read as they are written (see the port). */
  async importCalls(command: port.ImportCallsCommand): Promise<number> {
    return this.inTransaction((p) => workflows.importCalls(p, command), { once: true });
  }

  async seed(command: port.SeedCommand): Promise<void> {
    await this.write('a tenant, user or custom field of the seed', () => this.inTransaction((p) => workflows.seed(p, command)));
  }

  /** Runs a workflow in one drizzle transaction (see `transaction`: again from the start on a serialization failure or deadlock, unless `once`). */
  private inTransaction<T>(workflow: (p: PgPrimitives) => workflows.Step<Promise<unknown>, T>, options: { once?: boolean } = {}): Promise<T> {
    return this.transaction((tx) => runAsync(workflow(new PgPrimitives(tx, this.changeLog))), options);
  }
}

const selectField = (db: Reader, tenantId: string, fieldId: string) =>
  db
    .select(FIELD_COLUMNS)
    .from(customFields)
    .where(and(eq(customFields.tenantId, tenantId), eq(customFields.fieldId, fieldId)));

const USER_SUMMARY = userSummaryColumns(apiUsers);
const selectUserSummaries = (db: Reader) => db.select(USER_SUMMARY).from(apiUsers);

const TOKEN_SUMMARY = tokenSummaryColumns(apiTokens, apiUsers);
const selectTokenSummaries = (db: Reader) => db.select(TOKEN_SUMMARY).from(apiTokens).innerJoin(apiUsers, eq(apiUsers.id, apiTokens.userId));

/** setCallCustomFields' primitives: the request statements (request-statements.ts) on the transaction's own connection. */
class PgCallValuePrimitives implements workflows.CallValuePrimitives<Promise<unknown>> {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly named: boolean,
    private readonly changeLog: boolean,
    /** Where commitChange, the transaction's last statement, sends the COMMIT right behind itself; null where it is not the last. */
    private readonly transaction: { committed: boolean } | null,
  ) {}

  private pending: { changes: readonly FieldChange[]; now: string; userId: string | null } | null = null;

  private run<Row extends pg.QueryResultRow>(statement: RequestStatement, values: unknown[]) {
    return awaited(runStatement<Row>(this.client, statement, values, this.named));
  }

  /** `SELECT … FOR UPDATE`: concurrent writes of one call serialise on its row. */
  *lockCall(tenantId: string, callId: string) {
    const [row] = yield* this.run<CallRecord>(REQUEST_SQL.callForUpdate, [callId, tenantId]);
    return row && toCall(row);
  }

  *readFields(tenantId: string) {
    return yield* this.run<CustomFieldDefinition>(REQUEST_SQL.allFields, [tenantId]);
  }

  /** The call's values, after the writes pending since writeValues if there are any, in one statement with them. */
  *readValues(callId: string) {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return (yield* this.run<ValueRow>(REQUEST_SQL.values, [callId])).map(toValue);
    const { changes, now, userId } = pending;
    const written = changes.filter((change) => change.value !== null);
    const cleared = changes.filter((change) => change.value === null).map((change) => change.fieldId);
    const values = [callId, cleared, written.map((change) => change.fieldId), written.map((change) => change.value), now, userId];
    return (yield* this.run<ValueRow>(REQUEST_SQL.writeValues, values)).map(toValue);
  }

  *readFieldsAndValues(tenantId: string, callId: string) {
    const rows = yield* this.run<CustomFieldDefinition & { current: string | null }>(REQUEST_SQL.fieldsAndValues, [tenantId, callId]);
    const current = new Map<string, string>();
    const fields = rows.map(({ current: value, ...field }) => {
      if (value !== null) current.set(field.fieldId, value);
      return field;
    });
    return { fields, current };
  }

  /**
   * Held until the workflow reads the values back (it always does, before committing), to send the writes and that
   * read as one statement: one round trip where three were (clear, write, read).
   */
  *writeValues(callId: string, changes: readonly FieldChange[], now: string, userId: string | null) {
    this.pending = { changes, now, userId };
  }

  *commitChange(callId: string, changeSet: workflows.PendingChangeSet | null) {
    if (this.pending) yield* this.readValues(callId);
    if (!changeSet || !this.changeLog) {
      const [updated] = yield* this.run<CallRecord>(REQUEST_SQL.bumpVersion, [callId]);
      return toCall(updated!);
    }
    const { tenantId, origin, now, id, entries } = changeSet;
    const { actor } = origin;
    const logged = runStatement<CallRecord>(this.client, REQUEST_SQL.bumpVersionAndLog, [
      callId,
      tenantId,
      id,
      now,
      entries.map((e) => e.fieldId),
      entries.map((e) => e.fieldName),
      entries.map((e) => e.kind),
      entries.map((e) => e.oldValue),
      entries.map((e) => e.newValue),
      actor?.userId ?? null,
      actor?.username ?? null,
      actor?.tokenId ?? null,
      origin.channel,
      origin.requestId,
      origin.clientAddress,
    ], this.named);
    if (!this.transaction) return toCall((yield* awaited(logged))[0]!);
    // The statement holds the tenant's head row until COMMIT (see schema.ts): the COMMIT is queued right behind
    // it, so node-postgres sends it as soon as the statement completes, without waiting for this process's event
    // loop. Should the statement fail, PostgreSQL answers that COMMIT with a rollback and the failure stands.
    const committing = this.client.query('commit');
    committing.catch(() => {});
    this.transaction.committed = true;
    const [updated] = yield* awaited(logged);
    yield* awaited(committing);
    return toCall(updated!);
  }
}

/** Staged change records an import moves to the log per statement: well within the statement timeout. */
const STAGED_BATCH = 50_000;

/** The other workflows' primitives: drizzle statements in one transaction, locking rows with `SELECT … FOR UPDATE`. */
class PgPrimitives
  implements workflows.FieldPrimitives<Promise<unknown>, string[]>, workflows.AccountPrimitives<Promise<unknown>>, workflows.SeedPrimitives<Promise<unknown>>
{
  /** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters. */
  readonly importChunk = 1000;

  constructor(
    private readonly tx: PgTransaction<any, typeof schema, any>,
    private readonly changeLog: boolean,
  ) {}

  /** Change records an import has staged in this transaction (stageChanges), numbered from 1 in the order staged. */
  private staged = 0;

  /**
   * Takes the tenant's next `count` numbers on its head row (see schema.ts,
   * changeLogHeads), whose lock holds the tenant's other writers until
   * COMMIT; the last number taken and the commit time.
   */
  private *takeSequences(tenantId: string, count: number, now: string) {
    const [head] = yield* awaited(
      this.tx
        .insert(changeLogHeads)
        .values({ tenantId, lastSequence: count, lastCommittedAt: now })
        .onConflictDoUpdate({
          target: changeLogHeads.tenantId,
          set: {
            lastSequence: sql`${changeLogHeads.lastSequence} + excluded.last_sequence`,
            lastCommittedAt: sql`greatest(${changeLogHeads.lastCommittedAt}, excluded.last_committed_at)`,
          },
        })
        .returning(),
    );
    // Delivered at COMMIT only (change-notifier.ts).
    yield* awaited(this.tx.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${`${tenantId}:${head!.lastSequence}`})`));
    return head!;
  }

  /** Takes the numbers (takeSequences), then inserts the records in chunks. */
  *appendChanges(log: workflows.LogAppend) {
    const { tenantId, now, sets } = log;
    const count = sets.reduce((n, set) => n + set.entries.length, 0);
    if (!this.changeLog || count === 0) return;
    const head = yield* this.takeSequences(tenantId, count, now);
    const rows = changeRows(log, head.lastSequence - count + 1, head.lastCommittedAt);
    for (let r = 0; r < rows.length; r += this.importChunk) {
      yield* awaited(this.tx.insert(callChanges).values(rows.slice(r, r + this.importChunk)).execute());
    }
  }

  /**
   * An import's records wait in a temporary table of this transaction
   * (dropped at COMMIT), not in memory: the tenant's head row is taken only
   * by appendStagedChanges, at the end, so the import holds the tenant's
   * other writers for that last step only.
   */
  *stageChanges(log: workflows.LogAppend) {
    if (!this.changeLog) return;
    const columns = { ord: [] as number[], setId: [] as string[], callId: [] as string[], fieldId: [] as string[], fieldName: [] as string[] };
    const more = { kind: [] as string[], oldValue: [] as (string | null)[], newValue: [] as (string | null)[], callVersion: [] as number[] };
    for (const set of log.sets) {
      for (const entry of set.entries) {
        columns.ord.push(this.staged + columns.ord.length + 1);
        columns.setId.push(set.id);
        columns.callId.push(entry.callId);
        columns.fieldId.push(entry.fieldId);
        columns.fieldName.push(entry.fieldName);
        more.kind.push(entry.kind);
        more.oldValue.push(entry.oldValue);
        more.newValue.push(entry.newValue);
        more.callVersion.push(set.callVersion);
      }
    }
    if (columns.ord.length === 0) return;
    if (this.staged === 0) {
      yield* awaited(
        this.tx.execute(sql`create temporary table import_changes (ord bigint primary key, change_set_id uuid not null, call_id uuid not null,
          field_id uuid not null, field_name text not null, kind text not null, old_value text, new_value text, call_version bigint not null) on commit drop`),
      );
    }
    yield* awaited(
      this.tx.execute(sql`insert into import_changes select * from unnest(${sql.param(columns.ord)}::bigint[], ${sql.param(columns.setId)}::uuid[],
        ${sql.param(columns.callId)}::uuid[], ${sql.param(columns.fieldId)}::uuid[], ${sql.param(columns.fieldName)}::text[], ${sql.param(more.kind)}::text[],
        ${sql.param(more.oldValue)}::text[], ${sql.param(more.newValue)}::text[], ${sql.param(more.callVersion)}::bigint[])`),
    );
    this.staged += columns.ord.length;
  }

  /** Numbers the staged records after the tenant's last and moves them to the log, a batch per statement (each within the statement timeout). */
  *appendStagedChanges({ tenantId, origin, now }: Omit<workflows.LogAppend, 'sets'>) {
    const count = this.staged;
    if (count === 0) return;
    const head = yield* this.takeSequences(tenantId, count, now);
    const before = head.lastSequence - count;
    const { actor, channel, requestId, clientAddress } = origin;
    for (let from = 1; from <= count; from += STAGED_BATCH) {
      yield* awaited(
        this.tx.execute(sql`insert into ${callChanges} (tenant_id, sequence, change_set_id, call_id, field_id, field_name, kind, old_value, new_value,
            call_version, actor_user_id, actor_username, actor_token_id, channel, request_id, client_address, committed_at)
          select ${tenantId}::uuid, ${before}::bigint + ord, change_set_id, call_id, field_id, field_name, kind, old_value, new_value, call_version,
            ${actor?.userId ?? null}::uuid, ${actor?.username ?? null}::text, ${actor?.tokenId ?? null}::uuid, ${channel}::text, ${requestId}::text,
            ${clientAddress}::text, ${head.lastCommittedAt}::timestamptz
          from import_changes where ord between ${from}::bigint and ${from + STAGED_BATCH - 1}::bigint order by ord`),
      );
    }
    this.staged = 0;
  }

  /** A transaction-scoped advisory lock. */
  *lockTenantFields(tenantId: string) {
    yield* awaited(this.tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`callgate:fields:${tenantId}`}))`));
  }

  *lockField(tenantId: string, fieldId: string) {
    if (!UUID.test(fieldId)) return undefined;
    return (yield* awaited(selectField(this.tx, tenantId, fieldId).for('update')))[0];
  }

  *tenantHasCall(tenantId: string, callId: string) {
    if (!UUID.test(callId)) return false;
    const rows = yield* awaited(
      this.tx.select({ callId: calls.callId }).from(calls).where(and(eq(calls.tenantId, tenantId), eq(calls.callId, callId))).limit(1),
    );
    return rows.length > 0;
  }

  *readField(tenantId: string, fieldId: string) {
    if (!UUID.test(fieldId)) return undefined;
    return (yield* awaited(selectField(this.tx, tenantId, fieldId)))[0];
  }

  *readFields(tenantId: string) {
    return yield* awaited(
      this.tx
        .select(FIELD_COLUMNS)
        .from(customFields)
        .where(eq(customFields.tenantId, tenantId))
        .orderBy(asc(byName), asc(customFields.fieldId)),
    );
  }

  *storedValues(fieldId: string) {
    const rows = yield* awaited(this.tx.select({ value: callCustomFieldValues.value }).from(callCustomFieldValues).where(eq(callCustomFieldValues.fieldId, fieldId)));
    return rows.map((row) => row.value);
  }

  *setPreviousNames(tenantId: string, change: PreviousNamesChange) {
    yield* awaited(
      this.tx
        .update(customFields)
        .set({ previousNames: change.previousNames })
        .where(and(eq(customFields.fieldId, change.fieldId), eq(customFields.tenantId, tenantId)))
        .execute(),
    );
  }

  *insertField(row: workflows.NewFieldRow) {
    yield* awaited(this.tx.insert(customFields).values(row).execute());
  }

  *updateField(fieldId: string, columns: workflows.FieldColumns) {
    yield* awaited(this.tx.update(customFields).set(columns).where(eq(customFields.fieldId, fieldId)).execute());
  }


  /** In call id order, so two deletions lock them in the same order. */
  *lockCallsWithValuesOf(fieldId: string) {
    const rows = yield* awaited(
      this.tx
        .select({ callId: calls.callId })
        .from(calls)
        .where(inArray(calls.callId, this.tx.select({ callId: callCustomFieldValues.callId }).from(callCustomFieldValues).where(eq(callCustomFieldValues.fieldId, fieldId))))
        .orderBy(asc(calls.callId))
        .for('update'),
    );
    return rows.map((row) => row.callId);
  }

  *countStoredValues(fieldId: string) {
    const rows = yield* awaited(this.tx.select({ n: sql<number>`${count()}::int` }).from(callCustomFieldValues).where(eq(callCustomFieldValues.fieldId, fieldId)));
    return rows[0]?.n ?? 0;
  }

  *valuesOfField(fieldId: string) {
    return yield* awaited(
      this.tx
        .select({ callId: callCustomFieldValues.callId, value: callCustomFieldValues.value, version: calls.version })
        .from(callCustomFieldValues)
        .innerJoin(calls, eq(calls.callId, callCustomFieldValues.callId))
        .where(eq(callCustomFieldValues.fieldId, fieldId))
        .orderBy(asc(callCustomFieldValues.callId)),
    );
  }

  *deleteStoredValues(fieldId: string, callIds: string[]) {
    yield* awaited(
      this.tx
        .update(calls)
        .set({ version: sql`${calls.version} + 1` })
        .where(inArray(calls.callId, callIds))
        .execute(),
    );
    const deleted = yield* this.valuesOfField(fieldId);
    yield* awaited(this.tx.delete(callCustomFieldValues).where(eq(callCustomFieldValues.fieldId, fieldId)).execute());
    return deleted;
  }

  *deleteField(fieldId: string) {
    yield* awaited(this.tx.delete(customFields).where(eq(customFields.fieldId, fieldId)).execute());
  }

  /** In id order, so two updates lock them in the same order. */
  *lockTenantUsers(tenantId: string) {
    return yield* awaited(selectUserSummaries(this.tx).where(eq(apiUsers.tenantId, tenantId)).orderBy(asc(apiUsers.id)).for('update'));
  }

  *updateUser(userId: string, change: workflows.UserChange) {
    yield* awaited(this.tx.update(apiUsers).set(change).where(eq(apiUsers.id, userId)).execute());
  }

  *readUser(userId: string) {
    return (yield* awaited(selectUserSummaries(this.tx).where(eq(apiUsers.id, userId))))[0]!;
  }

  *lockToken(tenantId: string, tokenId: string) {
    const ofTenant = and(eq(apiTokens.id, tokenId), eq(apiUsers.tenantId, tenantId));
    return (yield* awaited(selectTokenSummaries(this.tx).where(ofTenant).for('update', { of: apiTokens })))[0];
  }

  *revokeToken(tokenId: string, now: string) {
    yield* awaited(this.tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, tokenId)).execute());
  }

  *existingCalls(callIds: string[]) {
    const rows = yield* awaited(this.tx.select({ callId: calls.callId }).from(calls).where(sql`${calls.callId} = any(${sql.param(callIds)}::uuid[])`));
    return new Set(rows.map((row) => row.callId));
  }

  /** One statement per table, the rows passed as one array per column: building a statement of thousands of parameters cost more than running it. */
  *insertCalls(rows: workflows.NewCallRow[], values: workflows.NewValueRow[]) {
    const column = <K extends keyof workflows.NewCallRow>(key: K) => sql.param(rows.map((row) => row[key]));
    yield* awaited(
      this.tx.execute(sql`insert into ${calls} (call_id, tenant_id, setup_time, from_number, to_number, direction, duration, version)
        select * from unnest(${column('callId')}::uuid[], ${column('tenantId')}::uuid[], ${column('setupTime')}::timestamptz[], ${column('fromNumber')}::text[],
          ${column('toNumber')}::text[], ${column('direction')}::text[], ${column('duration')}::integer[], ${column('version')}::bigint[])`),
    );
    if (values.length === 0) return;
    const valueColumn = <K extends keyof workflows.NewValueRow>(key: K) => sql.param(values.map((value) => value[key]));
    yield* awaited(
      this.tx.execute(sql`insert into ${callCustomFieldValues} (call_id, field_id, value, updated_at, updated_by)
        select * from unnest(${valueColumn('callId')}::uuid[], ${valueColumn('fieldId')}::uuid[], ${valueColumn('value')}::text[],
          ${valueColumn('updatedAt')}::timestamptz[], ${valueColumn('updatedBy')}::uuid[])`),
    );
  }

  /** One INSERT per table. */
  *insertSeedRows({ now, tenant, users, tokens, fields }: port.SeedCommand) {
    if (!tenant.existing) yield* awaited(this.tx.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: now }).execute());
    if (users.length > 0) yield* awaited(this.tx.insert(apiUsers).values(users.map((u) => ({ ...u, tenantId: tenant.id, createdAt: now }))).execute());
    if (tokens.length > 0) yield* awaited(this.tx.insert(apiTokens).values(tokens.map((t) => ({ ...t, createdAt: now }))).execute());
    if (fields.length > 0) yield* awaited(this.tx.insert(customFields).values(fields.map((f) => ({ ...f, tenantId: tenant.id, createdAt: now }))).execute());
  }
}
