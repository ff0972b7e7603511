import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { CallRecord } from '../../core/call.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../../core/custom-field.js';
import { CONFLICT_MESSAGES } from '../../core/field-definition.js';
import {
  DuplicateError,
  ImportError,
  type ApiTokenSummary,
  type ApiUserRecord,
  type ApiUserSummary,
  type CallStore,
  type CallWithValues,
  type CustomFieldWriteOutcome,
  type DefineCustomFieldCommand,
  type DeleteCustomFieldCommand,
  type DeleteCustomFieldOutcome,
  type ImportCallsCommand,
  type NewCustomField,
  type SetCallCustomFieldsCommand,
  type SetCallCustomFieldsOutcome,
  type Tenant,
  type UpdateApiUserCommand,
  type UpdateApiUserOutcome,
  type UpdateCustomFieldCommand,
} from '../call-store.js';
import * as schema from './schema.js';

const { tenants, apiUsers, apiTokens, customFields, calls, callCustomFieldValues } = schema;

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle/sqlite', import.meta.url));

type Db = BetterSQLite3Database<typeof schema>;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private in-memory database. */
  path: string;
  busyTimeoutMs?: number;
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
    this.sqlite = new Database(options.path);
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
        definition: { type: customFields.type, options: customFields.options, maxLength: customFields.maxLength },
      })
      .from(callCustomFieldValues)
      .innerJoin(customFields, eq(customFields.fieldId, callCustomFieldValues.fieldId))
      .leftJoin(apiUsers, eq(apiUsers.id, callCustomFieldValues.updatedBy))
      .where(and(eq(callCustomFieldValues.callId, callId), eq(customFields.enabled, true)))
      .orderBy(asc(customFields.name), asc(customFields.fieldId))
      .all();
  }

  private selectFields(db: Db) {
    return db
      .select({
        fieldId: customFields.fieldId,
        tenantId: customFields.tenantId,
        name: customFields.name,
        description: customFields.description,
        type: customFields.type,
        options: customFields.options,
        maxLength: customFields.maxLength,
        editable: customFields.editable,
        enabled: customFields.enabled,
        previousNames: customFields.previousNames,
      })
      .from(customFields);
  }

  private readFields(db: Db, tenantId: string, includeDisabled: boolean): CustomFieldDefinition[] {
    const where = includeDisabled
      ? eq(customFields.tenantId, tenantId)
      : and(eq(customFields.tenantId, tenantId), eq(customFields.enabled, true));
    return this.selectFields(db).where(where).orderBy(asc(customFields.name), asc(customFields.fieldId)).all();
  }

  private readField(db: Db, tenantId: string, fieldId: string): CustomFieldDefinition | undefined {
    return this.selectFields(db)
      .where(and(eq(customFields.fieldId, fieldId), eq(customFields.tenantId, tenantId)))
      .get();
  }

  async getCall(tenantId: string, callId: string): Promise<CallWithValues | null> {
    const call = this.readCall(this.db, tenantId, callId);
    return call ? { call, customFields: this.readValues(this.db, callId) } : null;
  }

  async listCustomFields(tenantId: string, options: { includeDisabled?: boolean } = {}): Promise<CustomFieldDefinition[]> {
    return this.readFields(this.db, tenantId, options.includeDisabled ?? false);
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
      return { ...definition, previousNames: [] };
    });
  }

  async getCustomField(tenantId: string, fieldId: string): Promise<CustomFieldDefinition | null> {
    return this.readField(this.db, tenantId, fieldId) ?? null;
  }

  /** Writes a decided definition and the earlier names other fields give up to it. */
  private writeDefinition(tx: Db, field: CustomFieldDefinition, previousNamesChanges: { fieldId: string; previousNames: string[] }[], now: string | null) {
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
      tx.update(customFields)
        .set({ previousNames: change.previousNames })
        .where(and(eq(customFields.fieldId, change.fieldId), eq(customFields.tenantId, field.tenantId)))
        .run();
    }
    if (now === null) {
      tx.update(customFields).set(row).where(eq(customFields.fieldId, field.fieldId)).run();
    } else {
      tx.insert(customFields).values({ fieldId: field.fieldId, tenantId: field.tenantId, ...row, createdAt: now }).run();
    }
  }

  async defineCustomField(command: DefineCustomFieldCommand): Promise<CustomFieldWriteOutcome> {
    try {
      return this.db.transaction(
        (tx) => {
          const decision = command.decide(this.readFields(tx, command.tenantId, true));
          if (!decision.ok) return { kind: 'refused', refusal: decision.refusal } as const;
          this.writeDefinition(tx, decision.field, decision.previousNamesChanges, command.now);
          return { kind: 'written', field: this.readField(tx, command.tenantId, decision.field.fieldId)!, invalidatedValues: 0 } as const;
        },
        { behavior: 'immediate' },
      );
    } catch (error) {
      // Field ids are unique across tenants: another tenant's field may already have the id asked for.
      if (isUniqueViolation(error)) return { kind: 'refused', refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.duplicateId } };
      throw error;
    }
  }

  async updateCustomField(command: UpdateCustomFieldCommand): Promise<CustomFieldWriteOutcome> {
    return this.db.transaction(
      (tx) => {
        const current = this.readField(tx, command.tenantId, command.fieldId);
        if (!current) return { kind: 'not_found' } as const;
        const fields = this.readFields(tx, command.tenantId, true);
        let decision = command.decide(current, fields, null);
        if ('needsStoredValues' in decision) {
          const values = tx
            .select({ value: callCustomFieldValues.value })
            .from(callCustomFieldValues)
            .where(eq(callCustomFieldValues.fieldId, current.fieldId))
            .all()
            .map((row) => row.value);
          decision = command.decide(current, fields, values);
        }
        if ('needsStoredValues' in decision) throw new Error('The update decision asked for stored values twice');
        if (!decision.ok) return { kind: 'refused', refusal: decision.refusal } as const;
        this.writeDefinition(tx, decision.field, decision.previousNamesChanges, null);
        return { kind: 'written', field: this.readField(tx, command.tenantId, current.fieldId)!, invalidatedValues: decision.invalidatedValues } as const;
      },
      { behavior: 'immediate' },
    );
  }

  async deleteCustomField(command: DeleteCustomFieldCommand): Promise<DeleteCustomFieldOutcome> {
    return this.db.transaction(
      (tx) => {
        const field = this.readField(tx, command.tenantId, command.fieldId);
        if (!field) return { kind: 'not_found' } as const;
        const ofField = eq(callCustomFieldValues.fieldId, field.fieldId);
        const stored = tx.select({ n: count() }).from(callCustomFieldValues).where(ofField).get()?.n ?? 0;
        const decision = command.decide(field, stored);
        if (!decision.ok) return { kind: 'refused', refusal: decision.refusal } as const;
        if (stored > 0) {
          const losers = tx.select({ callId: callCustomFieldValues.callId }).from(callCustomFieldValues).where(ofField);
          tx.update(calls).set({ version: sql`${calls.version} + 1` }).where(inArray(calls.callId, losers)).run();
          tx.delete(callCustomFieldValues).where(ofField).run();
        }
        tx.delete(customFields).where(eq(customFields.fieldId, field.fieldId)).run();
        return { kind: 'deleted', field, deletedValues: stored } as const;
      },
      { behavior: 'immediate' },
    );
  }

  private selectUserSummaries(db: Db) {
    return db
      .select({ id: apiUsers.id, username: apiUsers.username, role: apiUsers.role, disabled: apiUsers.disabled, createdAt: apiUsers.createdAt })
      .from(apiUsers);
  }

  async listApiUsers(tenantId: string): Promise<ApiUserSummary[]> {
    return this.selectUserSummaries(this.db).where(eq(apiUsers.tenantId, tenantId)).orderBy(asc(apiUsers.username)).all();
  }

  async updateApiUser(command: UpdateApiUserCommand): Promise<UpdateApiUserOutcome> {
    return this.db.transaction(
      (tx) => {
        const tenantUsers = this.selectUserSummaries(tx).where(eq(apiUsers.tenantId, command.tenantId)).all();
        const user = tenantUsers.find((u) => u.username === command.username);
        if (!user) return { kind: 'not_found' } as const;
        const decision = command.decide(user, tenantUsers);
        if (!decision.ok) return { kind: 'refused', message: decision.message } as const;
        const { role, passwordHash, disabled } = command.change;
        const set: Partial<typeof apiUsers.$inferInsert> = {};
        if (role !== undefined) set.role = role;
        if (passwordHash !== undefined) set.passwordHash = passwordHash;
        if (disabled !== undefined) set.disabled = disabled;
        if (Object.keys(set).length > 0) tx.update(apiUsers).set(set).where(eq(apiUsers.id, user.id)).run();
        return { kind: 'updated', user: this.selectUserSummaries(tx).where(eq(apiUsers.id, user.id)).get()! } as const;
      },
      { behavior: 'immediate' },
    );
  }

  private selectTokenSummaries(db: Db) {
    return db
      .select({ id: apiTokens.id, name: apiTokens.name, username: apiUsers.username, createdAt: apiTokens.createdAt, revokedAt: apiTokens.revokedAt })
      .from(apiTokens)
      .innerJoin(apiUsers, eq(apiUsers.id, apiTokens.userId));
  }

  async listApiTokens(tenantId: string): Promise<ApiTokenSummary[]> {
    return this.selectTokenSummaries(this.db)
      .where(eq(apiUsers.tenantId, tenantId))
      .orderBy(asc(apiUsers.username), asc(apiTokens.createdAt), asc(apiTokens.id))
      .all();
  }

  async revokeApiToken(command: { tenantId: string; tokenId: string; now: string }): Promise<ApiTokenSummary | null> {
    return this.db.transaction(
      (tx) => {
        const ofTenant = and(eq(apiTokens.id, command.tokenId), eq(apiUsers.tenantId, command.tenantId));
        const token = this.selectTokenSummaries(tx).where(ofTenant).get();
        if (!token) return null;
        if (token.revokedAt !== null) return token;
        tx.update(apiTokens).set({ revokedAt: command.now }).where(eq(apiTokens.id, token.id)).run();
        return { ...token, revokedAt: command.now };
      },
      { behavior: 'immediate' },
    );
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
      if (isUniqueViolation(error)) throw new DuplicateError(what);
      throw error;
    }
  }
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(error.code);
