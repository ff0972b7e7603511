import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { and, asc, count, eq, exists, getTableColumns, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { CallRecord } from '../../core/call.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../../core/custom-field.js';
import {
  DuplicateError,
  ImportError,
  type ApiUserRecord,
  type CallPage,
  type CallStore,
  type CallWithValues,
  type ImportCallsCommand,
  type ListCallsQuery,
  type NewCustomField,
  type SetCallCustomFieldsCommand,
  type SetCallCustomFieldsOutcome,
  type Tenant,
} from '../call-store.js';
import { boundsTightenedByCursor, callFilterWhere, keyset, orderBy } from './call-list-sql.js';
import * as schema from './schema.js';

const { tenants, apiUsers, apiTokens, customFields, calls, callCustomFieldValues } = schema;

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle/sqlite', import.meta.url));

type Db = BetterSQLite3Database<typeof schema>;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private in-memory database. */
  path: string;
  busyTimeoutMs?: number;
  /** Called with the text of every SQL statement the connection runs (parameters filled in); tests count them. */
  onStatement?: (sql: string) => void;
}

/**
 * The embedded store. WAL with synchronous=FULL, so an acknowledged write
 * survives power loss; every write runs in a BEGIN IMMEDIATE transaction.
 */
export class SqliteCallStore implements CallStore {
  readonly dialect = 'sqlite' as const;
  readonly sqlite: Database.Database;
  private readonly db: Db;

  constructor(options: SqliteStoreOptions) {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const onStatement = options.onStatement;
    this.sqlite = new Database(options.path, onStatement ? { verbose: (message) => onStatement(String(message)) } : {});
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = FULL');
    this.sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.sqlite.pragma('foreign_keys = ON');
    this.db = drizzle(this.sqlite, { schema });
  }

  async migrate(): Promise<void> {
    migrate(this.db, { migrationsFolder: MIGRATIONS });
  }

  async close(): Promise<void> {
    if (!this.sqlite.open) return;
    this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    this.sqlite.close();
  }

  private selectUser() {
    return this.db
      .select({
        id: apiUsers.id,
        tenantId: apiUsers.tenantId,
        tenantName: tenants.name,
        username: apiUsers.username,
        role: apiUsers.role,
        passwordHash: apiUsers.passwordHash,
        disabled: apiUsers.disabled,
      })
      .from(apiUsers)
      .innerJoin(tenants, eq(tenants.id, apiUsers.tenantId));
  }

  async findUserByUsername(username: string): Promise<ApiUserRecord | null> {
    return this.selectUser().where(eq(apiUsers.username, username)).get() ?? null;
  }

  async findUserByTokenHash(tokenHash: string): Promise<ApiUserRecord | null> {
    const row = this.db
      .select({ userId: apiTokens.userId })
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
      .get();
    if (!row) return null;
    return this.selectUser().where(eq(apiUsers.id, row.userId)).get() ?? null;
  }

  private readCall(db: Db, tenantId: string, callId: string): CallRecord | undefined {
    return db
      .select()
      .from(calls)
      .where(and(eq(calls.callId, callId), eq(calls.tenantId, tenantId)))
      .get();
  }

  private readValues(db: Db, callId: string): CustomFieldValue[] {
    return db
      .select({
        fieldId: callCustomFieldValues.fieldId,
        name: customFields.name,
        value: callCustomFieldValues.value,
        updatedAt: callCustomFieldValues.updatedAt,
        updatedBy: apiUsers.username,
      })
      .from(callCustomFieldValues)
      .innerJoin(customFields, eq(customFields.fieldId, callCustomFieldValues.fieldId))
      .leftJoin(apiUsers, eq(apiUsers.id, callCustomFieldValues.updatedBy))
      .where(and(eq(callCustomFieldValues.callId, callId), eq(customFields.enabled, true)))
      .orderBy(asc(customFields.name), asc(customFields.fieldId))
      .all();
  }

  private readFields(db: Db, tenantId: string, includeDisabled: boolean): CustomFieldDefinition[] {
    const where = includeDisabled
      ? eq(customFields.tenantId, tenantId)
      : and(eq(customFields.tenantId, tenantId), eq(customFields.enabled, true));
    return db
      .select({
        fieldId: customFields.fieldId,
        tenantId: customFields.tenantId,
        name: customFields.name,
        type: customFields.type,
        options: customFields.options,
        maxLength: customFields.maxLength,
        editable: customFields.editable,
        enabled: customFields.enabled,
      })
      .from(customFields)
      .where(where)
      .orderBy(asc(customFields.name), asc(customFields.fieldId))
      .all();
  }

  async getCall(tenantId: string, callId: string): Promise<CallWithValues | null> {
    const call = this.readCall(this.db, tenantId, callId);
    return call ? { call, customFields: this.readValues(this.db, callId) } : null;
  }

  async listCustomFields(tenantId: string, options: { includeDisabled?: boolean } = {}): Promise<CustomFieldDefinition[]> {
    return this.readFields(this.db, tenantId, options.includeDisabled ?? false);
  }

  async listCalls(query: ListCallsQuery): Promise<CallPage> {
    const { order, window } = query;
    const matching = callFilterWhere(this.db, query.tenantId, query.filter);
    const reading = window.fromEnd === (order.direction === 'desc') ? 'asc' : 'desc';
    const total: SQL<number | null> = query.withTotal ? sql<number>`${this.db.select({ n: count() }).from(calls).where(matching)}` : sql<null>`null`;
    // Rows behind where the page starts reading: up to `after` or within the offset (first), from `before` on (last).
    const behindKey = window.fromEnd ? window.before : window.after;
    const behindWindow = { ...window, after: window.fromEnd ? behindKey : null, before: window.fromEnd ? null : behindKey };
    const behindWhere = behindKey
      ? and(
          callFilterWhere(this.db, query.tenantId, query.filter, boundsTightenedByCursor(query.filter, order, behindWindow)),
          keyset(order, window.fromEnd ? 'after' : 'before', behindKey, true),
        )
      : !window.fromEnd && window.offset > 0
        ? matching
        : null;
    const behind: SQL<number> = behindWhere ? sql<number>`${exists(this.db.select({ one: sql`1` }).from(calls).where(behindWhere))}` : sql<number>`0`;

    const rows = this.db
      .select({ ...getTableColumns(calls), total, behind })
      .from(calls)
      .where(
        and(
          callFilterWhere(this.db, query.tenantId, query.filter, boundsTightenedByCursor(query.filter, order, window)),
          window.after ? keyset(order, 'after', window.after) : undefined,
          window.before ? keyset(order, 'before', window.before) : undefined,
        ),
      )
      .orderBy(...orderBy(order, reading))
      .limit(window.take + 1)
      .offset(window.offset)
      .all();

    let facts = rows[0] ?? { total: query.withTotal ? 0 : null, behind: 0 };
    const windowed = window.after !== null || window.before !== null || window.offset > 0;
    if (rows.length === 0 && windowed && (query.withTotal || behindWhere)) {
      // An empty window: the page statement returned no row to carry the count and the flag.
      facts = this.db.get<{ total: number | null; behind: number }>(sql`select ${total} as total, ${behind} as behind`);
    }
    const page = rows.slice(0, window.take).map(({ total: _total, behind: _behind, ...call }) => call);
    if (window.fromEnd) page.reverse();
    return { calls: page, more: rows.length > window.take, behindCursor: Boolean(facts.behind), total: facts.total };
  }

  async listCustomFieldValues(tenantId: string, callIds: readonly string[]): Promise<Map<string, CustomFieldValue[]>> {
    const byCall = new Map<string, CustomFieldValue[]>(callIds.map((id) => [id, []]));
    if (callIds.length === 0) return byCall;
    const rows = this.db
      .select({
        callId: callCustomFieldValues.callId,
        fieldId: callCustomFieldValues.fieldId,
        name: customFields.name,
        value: callCustomFieldValues.value,
        updatedAt: callCustomFieldValues.updatedAt,
        updatedBy: apiUsers.username,
      })
      .from(callCustomFieldValues)
      .innerJoin(customFields, eq(customFields.fieldId, callCustomFieldValues.fieldId))
      .leftJoin(apiUsers, eq(apiUsers.id, callCustomFieldValues.updatedBy))
      .where(and(inArray(callCustomFieldValues.callId, [...callIds]), eq(customFields.tenantId, tenantId), eq(customFields.enabled, true)))
      .orderBy(asc(customFields.name), asc(customFields.fieldId))
      .all();
    for (const { callId, ...value } of rows) byCall.get(callId)?.push(value);
    return byCall;
  }

  async setCallCustomFields(command: SetCallCustomFieldsCommand): Promise<SetCallCustomFieldsOutcome> {
    return this.db.transaction(
      (tx) => {
        const call = this.readCall(tx, command.tenantId, command.callId);
        if (!call) return { kind: 'not_found' } as const;
        const decision = command.decide(this.readFields(tx, command.tenantId, true));
        if (!decision.ok) return { kind: 'invalid', problems: decision.problems } as const;
        if (decision.changes.length === 0) {
          return { kind: 'updated', call, customFields: this.readValues(tx, call.callId) } as const;
        }
        for (const change of decision.changes) {
          if (change.value === null) {
            tx.delete(callCustomFieldValues)
              .where(and(eq(callCustomFieldValues.callId, call.callId), eq(callCustomFieldValues.fieldId, change.fieldId)))
              .run();
          } else {
            const row = { value: change.value, updatedAt: command.now, updatedBy: command.userId };
            tx.insert(callCustomFieldValues)
              .values({ callId: call.callId, fieldId: change.fieldId, ...row })
              .onConflictDoUpdate({ target: [callCustomFieldValues.callId, callCustomFieldValues.fieldId], set: row })
              .run();
          }
        }
        const updated = tx
          .update(calls)
          .set({ version: sql`${calls.version} + 1` })
          .where(eq(calls.callId, call.callId))
          .returning()
          .get();
        return { kind: 'updated', call: updated, customFields: this.readValues(tx, call.callId) } as const;
      },
      { behavior: 'immediate' },
    );
  }

  async createTenant(tenant: Tenant & { now: string }): Promise<Tenant> {
    return this.write('a tenant with this name', () => {
      this.db.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: tenant.now }).run();
      return { id: tenant.id, name: tenant.name };
    });
  }

  async findTenantByName(name: string): Promise<Tenant | null> {
    return this.db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.name, name)).get() ?? null;
  }

  async createApiUser(user: Parameters<CallStore['createApiUser']>[0]): Promise<void> {
    this.write('a user with this username', () => {
      this.db
        .insert(apiUsers)
        .values({ id: user.id, tenantId: user.tenantId, username: user.username, passwordHash: user.passwordHash, role: user.role, createdAt: user.now })
        .run();
    });
  }

  async createApiToken(token: Parameters<CallStore['createApiToken']>[0]): Promise<void> {
    this.db
      .insert(apiTokens)
      .values({ id: token.id, userId: token.userId, name: token.name, tokenHash: token.tokenHash, createdAt: token.now })
      .run();
  }

  async createCustomField(field: NewCustomField & { now: string }): Promise<CustomFieldDefinition> {
    return this.write('a custom field with this id or name', () => {
      const { now, ...definition } = field;
      this.db.insert(customFields).values({ ...definition, createdAt: now }).run();
      const { description: _description, ...rest } = definition;
      return rest;
    });
  }

  async importCalls(command: ImportCallsCommand): Promise<number> {
    return this.db.transaction(
      (tx) => {
        const fields = this.readFields(tx, command.tenantId, true);
        const existing = tx.select({ callId: calls.callId }).from(calls).where(eq(calls.callId, sql.placeholder('id'))).prepare();
        command.calls.forEach(({ call, customFields: entries }, index) => {
          if (existing.get({ id: call.callId })) throw new ImportError(index, `call ${call.callId} already exists`);
          const decision = command.decide(entries, fields);
          if (!decision.ok) {
            const p = decision.problems[0]!;
            throw new ImportError(index, `custom_fields.${p.index}${p.attribute ? `.${p.attribute}` : ''}: ${p.message}`);
          }
          tx.insert(calls).values({ ...call, tenantId: command.tenantId, version: 1 }).run();
          const values = decision.changes
            .filter((c): c is { fieldId: string; value: string } => c.value !== null)
            .map((c) => ({ callId: call.callId, fieldId: c.fieldId, value: c.value, updatedAt: command.now, updatedBy: null }));
          if (values.length > 0) tx.insert(callCustomFieldValues).values(values).run();
        });
        return command.calls.length;
      },
      { behavior: 'immediate' },
    );
  }

  /** Runs a write, turning a uniqueness violation into a DuplicateError. */
  private write<T>(what: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(error.code)) {
        throw new DuplicateError(what);
      }
      throw error;
    }
  }
}
