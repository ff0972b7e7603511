import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { and, asc, count, desc, eq, exists, getTableColumns, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { TokenKey } from '../../core/account-list.js';
import type { CallRecord } from '../../core/call.js';
import type { CustomFieldDefinition, CustomFieldValue, ValueRule } from '../../core/custom-field.js';
import type { FieldChange } from '../../core/change-set.js';
import type { ChangeRecord } from '../../core/change-log.js';
import { changeQueryWhere, isTailRead, toChangeRecord, type ChangeRow } from '../change-log-query.js';
import type { PreviousNamesChange } from '../../core/field-definition.js';
import { DuplicateError } from '../call-store.js';
import type * as port from '../call-store.js';
import { boundsTightenedByCursor, callFilterWhere, keyset, orderBy } from './call-list-sql.js';
import { accountPageOf, accountPageSql } from '../account-pages.js';
import { SqliteChangeNotifier } from './change-notifier.js';
import { GroupCommit } from './group-commit.js';
import * as schema from './schema.js';
import { SqliteWebhookStore } from './webhook-store.js';
import { loadWebhookKey, webhookKeyFileFor } from '../webhook-secrets.js';
import type { WebhookStore } from '../webhook-store.js';
import { tokenSummaryColumns, userSummaryColumns } from '../summary-columns.js';
import * as workflows from '../workflows.js';
import { duplicateFieldId, runSync } from '../workflows.js';

const { tenants, apiUsers, apiTokens, customFields, calls, callCustomFieldValues, callChanges } = schema;

const MIGRATIONS = fileURLToPath(new URL('../../../drizzle/sqlite', import.meta.url));

let journalEntries: number | undefined;
/** How many migrations the checked-in drizzle journal lists. */
function migrationCount(): number {
  journalEntries ??= (JSON.parse(readFileSync(`${MIGRATIONS}/meta/_journal.json`, 'utf8')) as { entries: unknown[] }).entries.length;
  return journalEntries;
}

type Db = BetterSQLite3Database<typeof schema>;

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private in-memory database. */
  path: string;
  busyTimeoutMs?: number;
  /** Share one transaction (one fsync) among concurrent writes; default on. */
  groupCommit?: boolean;
  /** Called with the text of every SQL statement the connection runs (parameters filled in); tests count them. */
  onStatement?: (sql: string) => void;
  /** Benchmark comparisons only: false writes no change log (there is no such setting in production). */
  changeLog?: boolean;
}

/** The page cache of an import's transaction, in SQLite's notation: negative, in KiB (32 MiB; better-sqlite3's default is 16,000 KiB). */
const IMPORT_CACHE_SIZE = -32 * 1024;

/**
 * The embedded store. WAL with synchronous=FULL, so an acknowledged write
 * survives power loss; every write runs in a BEGIN IMMEDIATE transaction.
 */
export class SqliteCallStore implements port.CallStore {
  readonly dialect = 'sqlite' as const;
  readonly sqlite: Database.Database;
  private readonly db: Db;
  readonly groupCommit: GroupCommit | null;
  private prepared: Statements | undefined;
  private preparedPrimitives: SqlitePrimitives | undefined;
  private preparedTail: ReturnType<SqliteCallStore['prepareTail']> | undefined;
  private readonly changeLog: boolean;
  private readonly changeNotifier: SqliteChangeNotifier;
  private readonly path: string;
  private memoryWebhookKey: Buffer | undefined;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const onStatement = options.onStatement;
    this.sqlite = new Database(options.path, onStatement ? { verbose: (message) => onStatement(String(message)) } : {});
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = FULL');
    this.sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.sqlite.pragma('foreign_keys = ON');
    this.db = drizzle(this.sqlite, { schema });
    this.groupCommit = options.groupCommit === false ? null : new GroupCommit(this.sqlite);
    this.changeLog = options.changeLog ?? true;
    this.changeNotifier = new SqliteChangeNotifier(this.sqlite);
  }

  /** Prepared on first use: the tables exist only after migrate(). */
  private get statements(): Statements {
    return (this.prepared ??= prepareStatements(this.sqlite));
  }

  /** The feed's read (isTailRead), prepared on first use. */
  private get changeTail() {
    return (this.preparedTail ??= this.prepareTail());
  }

  private prepareTail() {
    return this.db
      .select()
      .from(callChanges)
      .where(and(eq(callChanges.tenantId, sql.placeholder('tenantId')), gt(callChanges.sequence, sql.placeholder('after'))))
      .orderBy(asc(callChanges.sequence))
      .limit(sql.placeholder('limit'))
      .prepare();
  }

  private get primitives(): SqlitePrimitives {
    return (this.preparedPrimitives ??= new SqlitePrimitives(this.db, this.statements, this.changeLog, this.changeNotifier));
  }

  async migrate(): Promise<void> {
    migrate(this.db, { migrationsFolder: MIGRATIONS });
  }

  async checkReady(): Promise<{ ready: true } | { ready: false; reason: string }> {
    try {
      const applied = this.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get() as number;
      const expected = migrationCount();
      return applied >= expected ? { ready: true } : { ready: false, reason: `${expected - applied} migration(s) not applied` };
    } catch {
      return { ready: false, reason: 'database not migrated or not reachable' };
    }
  }

  stats(): Record<string, number> {
    return { group_commits: this.groupCommit?.commits ?? 0 };
  }

  async close(): Promise<void> {
    if (!this.sqlite.open) return;
    this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    this.sqlite.close();
  }

  async findUserByUsername(username: string): Promise<port.ApiUserRecord | null> {
    return this.statements.userByUsername.get(username) ?? null;
  }

  async findUserByTokenHash(tokenHash: string): Promise<port.ApiUserRecord | null> {
    return this.statements.userByTokenHash.get(tokenHash) ?? null;
  }

  private readFields(tenantId: string, includeDisabled: boolean): CustomFieldDefinition[] {
    return (includeDisabled ? this.statements.allFields : this.statements.enabledFields).all({ tenantId });
  }

  private readField(tenantId: string, fieldId: string): CustomFieldDefinition | undefined {
    return this.statements.field.get({ tenantId, fieldId });
  }

  private readValues(callId: string): CustomFieldValue[] {
    return this.statements.values.all(callId);
  }

  async getCall(tenantId: string, callId: string): Promise<port.CallWithValues | null> {
    const call = this.statements.call.get(tenantId, callId);
    return call ? { call, customFields: this.readValues(callId) } : null;
  }

  async listCustomFields(tenantId: string, options: { includeDisabled?: boolean } = {}): Promise<CustomFieldDefinition[]> {
    return this.readFields(tenantId, options.includeDisabled ?? false);
  }

  async listCalls(query: port.ListCallsQuery): Promise<port.CallPage> {
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
    for (const [callId, value] of this.statements.valuesOfCalls.all(tenantId, callIds)) byCall.get(callId)?.push(value);
    return byCall;
  }

  async setCallCustomFields(command: port.SetCallCustomFieldsCommand): Promise<port.SetCallCustomFieldsOutcome> {
    const apply = () => runSync(workflows.setCallCustomFields(this.primitives, command));
    return this.groupCommit ? this.groupCommit.run(apply) : this.db.transaction(apply, { behavior: 'immediate' });
  }

  async applyBulkEditBatch(command: port.BulkEditBatchCommand): Promise<port.BulkEditBatchOutcome> {
    return this.inTransaction(() => workflows.applyBulkEditBatch(this.primitives, command));
  }

  async readChanges(query: port.ChangeQuery): Promise<ChangeRecord[]> {
    if (isTailRead(query)) return this.changeTail.all({ tenantId: query.tenantId, after: query.afterSequence, limit: query.limit }).map(toChangeRecord);
    return this.db
      .select()
      .from(callChanges)
      .where(changeQueryWhere(callChanges, query))
      .orderBy(query.order === 'asc' ? asc(callChanges.sequence) : desc(callChanges.sequence))
      .limit(query.limit)
      .all()
      .map(toChangeRecord);
  }

  watchChanges(onWake: (wake: port.ChangeWake) => void): () => Promise<void> {
    return this.changeNotifier.watch(onWake);
  }

  async deleteChangesBefore(before: string, batch: number): Promise<number> {
    let deleted = 0;
    for (const { id } of this.db.select({ id: tenants.id }).from(tenants).all()) {
      // One tenant's oldest records at a time, each batch its own short transaction, by the (tenant, commit time) index.
      const oldest = this.db
        .select({ sequence: callChanges.sequence })
        .from(callChanges)
        .where(and(eq(callChanges.tenantId, id), lt(callChanges.committedAt, before)))
        .orderBy(asc(callChanges.committedAt))
        .limit(batch);
      deleted += this.db.transaction(
        () => this.db.delete(callChanges).where(and(eq(callChanges.tenantId, id), inArray(callChanges.sequence, oldest))).run().changes,
        { behavior: 'immediate' },
      );
    }
    return deleted;
  }

  async createTenant(tenant: port.Tenant & { now: string }): Promise<port.Tenant> {
    return this.write('a tenant with this name', () => {
      this.db.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: tenant.now }).run();
      return { id: tenant.id, name: tenant.name };
    });
  }

  /** Webhook endpoints and deliveries; secrets sealed with WEBHOOK_SECRET_KEY, else a key file beside the database. */
  webhooks(options: { secretKey?: string | undefined } = {}): WebhookStore {
    const keyFile = this.path === ':memory:' ? undefined : webhookKeyFileFor(this.path);
    // An in-memory database without a key gets one for its lifetime.
    this.memoryWebhookKey ??= randomBytes(32);
    const key = !options.secretKey && !keyFile ? this.memoryWebhookKey : loadWebhookKey({ envKey: options.secretKey, keyFile });
    return new SqliteWebhookStore(this.db, key, (work) =>
      this.groupCommit ? this.groupCommit.run(work) : Promise.resolve(this.db.transaction(work, { behavior: 'immediate' })),
    );
  }

  async findTenantByName(name: string): Promise<port.Tenant | null> {
    return this.db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.name, name)).get() ?? null;
  }

  async createApiUser(user: Parameters<port.CallStore['createApiUser']>[0]): Promise<void> {
    this.write('a user with this username', () => {
      this.db
        .insert(apiUsers)
        .values({ id: user.id, tenantId: user.tenantId, username: user.username, passwordHash: user.passwordHash, role: user.role, createdAt: user.now })
        .run();
    });
  }

  async createApiToken(token: Parameters<port.CallStore['createApiToken']>[0]): Promise<void> {
    this.db
      .insert(apiTokens)
      .values({ id: token.id, userId: token.userId, name: token.name, tokenHash: token.tokenHash, createdAt: token.now })
      .run();
  }

  async createCustomField(field: port.NewCustomField & { now: string }): Promise<CustomFieldDefinition> {
    return this.write('a custom field with this id or name', () => {
      const { now, ...definition } = field;
      this.db.insert(customFields).values({ ...definition, createdAt: now }).run();
      return { ...definition, previousNames: [] };
    });
  }

  async getCustomField(tenantId: string, fieldId: string): Promise<CustomFieldDefinition | null> {
    return this.readField(tenantId, fieldId) ?? null;
  }

  async defineCustomField(command: port.DefineCustomFieldCommand): Promise<port.CustomFieldWriteOutcome> {
    try {
      return this.inTransaction(() => workflows.defineCustomField(this.primitives, command));
    } catch (error) {
      if (isUniqueViolation(error)) return duplicateFieldId();
      throw error;
    }
  }

  async updateCustomField(command: port.UpdateCustomFieldCommand): Promise<port.CustomFieldWriteOutcome> {
    return this.inTransaction(() => workflows.updateCustomField(this.primitives, command));
  }

  async deleteCustomField(command: port.DeleteCustomFieldCommand): Promise<port.DeleteCustomFieldOutcome> {
    return this.inTransaction(() => workflows.deleteCustomField(this.primitives, command));
  }

  async listApiUsers(tenantId: string): Promise<port.ApiUserSummary[]> {
    return selectUserSummaries(this.db).where(eq(apiUsers.tenantId, tenantId)).orderBy(asc(apiUsers.username)).all();
  }

  async pageApiUsers(query: port.AccountPageQuery<string>): Promise<port.AccountPage<port.ApiUserSummary>> {
    const page = accountPageSql(query.window, [sql`${apiUsers.username}`], (username) => [username]);
    const ofTenant = eq(apiUsers.tenantId, query.tenantId);
    const read = selectUserSummaries(this.db).where(and(ofTenant, page.where)).orderBy(...page.orderBy).limit(page.limit).all();
    const behind = page.behind !== null && this.db.select({ one: sql`1` }).from(apiUsers).where(and(ofTenant, page.behind)).limit(1).all().length > 0;
    const total = query.withTotal ? this.db.select({ n: count() }).from(apiUsers).where(ofTenant).get()!.n : null;
    return { ...accountPageOf(query.window, read, behind), total };
  }

  async updateApiUser(command: port.UpdateApiUserCommand): Promise<port.UpdateApiUserOutcome> {
    return this.inTransaction(() => workflows.updateApiUser(this.primitives, command));
  }

  async replacePasswordHash(command: { userId: string; from: string; to: string }): Promise<boolean> {
    const { changes } = this.db
      .update(apiUsers)
      .set({ passwordHash: command.to })
      .where(and(eq(apiUsers.id, command.userId), eq(apiUsers.passwordHash, command.from)))
      .run();
    return changes > 0;
  }

  async listApiTokens(tenantId: string): Promise<port.ApiTokenSummary[]> {
    return selectTokenSummaries(this.db)
      .where(eq(apiUsers.tenantId, tenantId))
      .orderBy(asc(apiUsers.username), asc(apiTokens.createdAt), asc(apiTokens.id))
      .all();
  }

  async pageApiTokens(query: port.AccountPageQuery<TokenKey>): Promise<port.AccountPage<port.ApiTokenSummary>> {
    const page = accountPageSql(query.window, [sql`${apiTokens.createdAt}`, sql`${apiTokens.id}`], (key) => [key.createdAt, key.id]);
    const ofTenant = eq(apiUsers.tenantId, query.tenantId);
    const read = selectTokenSummaries(this.db).where(and(ofTenant, page.where)).orderBy(...page.orderBy).limit(page.limit).all();
    const tokensOfTenant = this.db.select({ n: count() }).from(apiTokens).innerJoin(apiUsers, eq(apiUsers.id, apiTokens.userId));
    const behind = page.behind !== null && selectTokenSummaries(this.db).where(and(ofTenant, page.behind)).limit(1).all().length > 0;
    const total = query.withTotal ? tokensOfTenant.where(ofTenant).get()!.n : null;
    return { ...accountPageOf(query.window, read, behind), total };
  }

  async revokeApiToken(command: { tenantId: string; tokenId: string; now: string }): Promise<port.ApiTokenSummary | null> {
    return this.inTransaction(() => workflows.revokeApiToken(this.primitives, command));
  }

  /**
   * With a larger page cache for the transaction: an import's index pages
   * then stay in memory instead of being spilled to the WAL and read back
   * (1,000,000 calls, its statements alone: 57 s with the default cache, 47 s).
   */
  async importCalls(command: port.ImportCallsCommand): Promise<number> {
    const cacheSize = this.sqlite.pragma('cache_size', { simple: true }) as number;
    this.sqlite.pragma(`cache_size = ${IMPORT_CACHE_SIZE}`);
    try {
      return this.inTransaction(() => workflows.importCalls(this.primitives, command));
    } finally {
      this.sqlite.pragma(`cache_size = ${cacheSize}`);
    }
  }

  async seed(command: port.SeedCommand): Promise<void> {
    this.write('a tenant, user or custom field of the seed', () => this.inTransaction(() => workflows.seed(this.primitives, command)));
  }

  /** Runs a workflow to its end in one BEGIN IMMEDIATE transaction; its primitives never yield (see workflows.ts). */
  private inTransaction<T>(workflow: () => workflows.Step<never, T>): T {
    return this.db.transaction(() => runSync(workflow()), { behavior: 'immediate' });
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

const USER_SUMMARY = userSummaryColumns(apiUsers);
const selectUserSummaries = (db: Db) => db.select(USER_SUMMARY).from(apiUsers);

const TOKEN_SUMMARY = tokenSummaryColumns(apiTokens, apiUsers);
const selectTokenSummaries = (db: Db) => db.select(TOKEN_SUMMARY).from(apiTokens).innerJoin(apiUsers, eq(apiUsers.id, apiTokens.userId));

/**
 * The workflows' primitives on SQLite: plain statements that never yield,
 * always inside a BEGIN IMMEDIATE transaction (or a group-commit savepoint in
 * one), which holds the database's only write lock: nothing needs locking
 * row by row, so the lock primitives merely read.
 */
class SqlitePrimitives
  implements workflows.CallValuePrimitives<never>, workflows.FieldPrimitives<never, null>, workflows.AccountPrimitives<never>, workflows.SeedPrimitives<never>
{
  /** Calls checked and written together by an import: one statement asks which of their ids exist. */
  readonly importChunk = 500;

  constructor(
    private readonly db: Db,
    private readonly statements: Statements,
    private readonly changeLog: boolean,
    private readonly changeNotifier: SqliteChangeNotifier,
  ) {}

  *lockCall(tenantId: string, callId: string) {
    return this.statements.call.get(tenantId, callId);
  }

  *readFields(tenantId: string) {
    return this.statements.allFields.all({ tenantId });
  }

  *readFieldsAndValues(tenantId: string, callId: string) {
    return { fields: this.statements.allFields.all({ tenantId }), current: new Map(this.statements.storedValues.all(callId)) };
  }

  *readValues(callId: string) {
    return this.statements.values.all(callId);
  }

  *writeValues(callId: string, changes: readonly FieldChange[], updatedAt: string, updatedBy: string | null) {
    for (const change of changes) {
      if (change.value === null) this.statements.deleteValue.run({ callId, fieldId: change.fieldId });
      else this.statements.upsertValue.run({ callId, fieldId: change.fieldId, value: change.value, updatedAt, updatedBy });
    }
  }

  *commitChange(callId: string, changeSet: workflows.PendingChangeSet | null) {
    const call = this.statements.bumpVersion.get({ callId })!;
    if (changeSet) {
      const { id, entries, ...log } = changeSet;
      yield* this.appendChanges({ ...log, sets: [{ id, callId, callVersion: call.version, entries }] });
    }
    return call;
  }

  /**
   * Numbers the records after the tenant's last (its head row). The
   * transaction holds the database's only write lock, so numbers are taken
   * and committed in one order; a commit time never runs behind the one
   * before it.
   */
  *appendChanges(log: workflows.LogAppend) {
    const count = log.sets.reduce((n, set) => n + set.entries.length, 0);
    if (!this.changeLog || count === 0) return;
    const { tenantId, origin } = log;
    const [last, committedAt] = this.statements.takeSequences.get({ tenantId, count, now: log.now })!;
    // changeRows' columns, bound by position: an import appends five records a call, and named parameters cost twice as much.
    const { appendChange } = this.statements;
    const [userId, username, tokenId] = [origin.actor?.userId ?? null, origin.actor?.username ?? null, origin.actor?.tokenId ?? null];
    let sequence = last - count + 1;
    for (const set of log.sets) {
      for (const e of set.entries) {
        appendChange.run(tenantId, sequence++, set.id, e.callId, e.fieldId, e.fieldName, e.kind, e.oldValue, e.newValue, set.callVersion,
          userId, username, tokenId, origin.channel, origin.requestId, origin.clientAddress, committedAt);
      }
    }
    this.changeNotifier.appended(tenantId, last);
  }


  *lockTenantFields() {}

  *lockField(tenantId: string, fieldId: string) {
    return this.statements.field.get({ tenantId, fieldId });
  }

  *tenantHasCall(tenantId: string, callId: string) {
    return this.statements.call.get(tenantId, callId) !== undefined;
  }

  *readField(tenantId: string, fieldId: string) {
    return this.statements.field.get({ tenantId, fieldId });
  }

  *storedValues(fieldId: string) {
    return this.db
      .select({ value: callCustomFieldValues.value })
      .from(callCustomFieldValues)
      .where(eq(callCustomFieldValues.fieldId, fieldId))
      .all()
      .map((row) => row.value);
  }

  *setPreviousNames(tenantId: string, change: PreviousNamesChange) {
    this.db
      .update(customFields)
      .set({ previousNames: change.previousNames })
      .where(and(eq(customFields.fieldId, change.fieldId), eq(customFields.tenantId, tenantId)))
      .run();
  }

  *insertField(row: workflows.NewFieldRow) {
    this.db.insert(customFields).values(row).run();
  }

  *updateField(fieldId: string, columns: workflows.FieldColumns) {
    this.db.update(customFields).set(columns).where(eq(customFields.fieldId, fieldId)).run();
  }


  /** The transaction's write lock covers the calls; deleting the values finds them again. */
  *lockCallsWithValuesOf() {
    return null;
  }

  *countStoredValues(fieldId: string) {
    return this.db.select({ n: count() }).from(callCustomFieldValues).where(eq(callCustomFieldValues.fieldId, fieldId)).get()?.n ?? 0;
  }

  *valuesOfField(fieldId: string) {
    return this.db
      .select({ callId: callCustomFieldValues.callId, value: callCustomFieldValues.value, version: calls.version })
      .from(callCustomFieldValues)
      .innerJoin(calls, eq(calls.callId, callCustomFieldValues.callId))
      .where(eq(callCustomFieldValues.fieldId, fieldId))
      .orderBy(asc(callCustomFieldValues.callId))
      .all();
  }

  *deleteStoredValues(fieldId: string) {
    const ofField = eq(callCustomFieldValues.fieldId, fieldId);
    const losers = this.db.select({ callId: callCustomFieldValues.callId }).from(callCustomFieldValues).where(ofField);
    this.db.update(calls).set({ version: sql`${calls.version} + 1` }).where(inArray(calls.callId, losers)).run();
    const deleted = yield* this.valuesOfField(fieldId);
    this.db.delete(callCustomFieldValues).where(ofField).run();
    return deleted;
  }

  *deleteField(fieldId: string) {
    this.db.delete(customFields).where(eq(customFields.fieldId, fieldId)).run();
  }

  *lockTenantUsers(tenantId: string) {
    return selectUserSummaries(this.db).where(eq(apiUsers.tenantId, tenantId)).all();
  }

  *updateUser(userId: string, change: workflows.UserChange) {
    this.db.update(apiUsers).set(change).where(eq(apiUsers.id, userId)).run();
  }

  *readUser(userId: string) {
    return selectUserSummaries(this.db).where(eq(apiUsers.id, userId)).get()!;
  }

  *lockToken(tenantId: string, tokenId: string) {
    return selectTokenSummaries(this.db)
      .where(and(eq(apiTokens.id, tokenId), eq(apiUsers.tenantId, tenantId)))
      .get();
  }

  *revokeToken(tokenId: string, now: string) {
    this.db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, tokenId)).run();
  }

  *existingCalls(callIds: string[]) {
    return new Set(this.statements.existingCalls.all(JSON.stringify(callIds)));
  }

  *insertCalls(rows: workflows.NewCallRow[], values: workflows.NewValueRow[]) {
    const { insertCall, insertValue } = this.statements;
    for (const r of rows) insertCall.run(r.callId, r.tenantId, r.setupTime, r.fromNumber, r.toNumber, r.direction, r.duration, r.version);
    for (const v of values) insertValue.run(v.callId, v.fieldId, v.value, v.updatedAt, v.updatedBy);
  }

  /** Appended at once: the transaction holds the database's only write lock anyway. */
  *stageChanges(log: workflows.LogAppend) {
    yield* this.appendChanges(log);
  }

  *appendStagedChanges() {}

  *insertSeedRows({ now, tenant, users, tokens, fields }: port.SeedCommand) {
    if (!tenant.existing) this.db.insert(tenants).values({ id: tenant.id, name: tenant.name, createdAt: now }).run();
    for (const user of users) this.db.insert(apiUsers).values({ ...user, tenantId: tenant.id, createdAt: now }).run();
    for (const token of tokens) this.db.insert(apiTokens).values({ ...token, createdAt: now }).run();
    for (const field of fields) this.db.insert(customFields).values({ ...field, tenantId: tenant.id, createdAt: now }).run();
  }
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Database.SqliteError && error.code.startsWith('SQLITE_CONSTRAINT_') && /UNIQUE|PRIMARYKEY/.test(error.code);

type FieldRow = Omit<CustomFieldDefinition, 'options' | 'editable' | 'enabled' | 'previousNames'> & {
  options: string | null;
  editable: number;
  enabled: number;
  previousNames: string;
};
/** Rows of the hot read statements, as arrays (better-sqlite3's raw mode): cheaper than its row objects. */
type UserTuple = [id: string, tenantId: string, tenantName: string, username: string, role: port.ApiUserRecord['role'], passwordHash: string, disabled: number, tokenId?: string];
type CallTuple = [callId: string, tenantId: string, setupTime: string, fromNumber: string, toNumber: string, direction: CallRecord['direction'], duration: number, version: number];
/** A change log row's columns in changeRows' order (ChangeRow), bound by position. */
type ChangeTuple = [
  tenantId: string,
  sequence: number,
  changeSetId: string,
  callId: string,
  fieldId: string,
  fieldName: string,
  kind: ChangeRow['kind'],
  oldValue: string | null,
  newValue: string | null,
  callVersion: number,
  actorUserId: string | null,
  actorUsername: string | null,
  actorTokenId: string | null,
  channel: ChangeRow['channel'],
  requestId: string | null,
  clientAddress: string | null,
  committedAt: string,
];
type ValueTuple = [
  fieldId: string,
  name: string,
  value: string,
  updatedAt: string,
  updatedBy: string | null,
  type: ValueRule['type'],
  options: string | null,
  maxLength: number | null,
];

const parseOptions = (options: string | null) => (options === null ? null : (JSON.parse(options) as string[]));
const toField = (row: FieldRow): CustomFieldDefinition => ({
  ...row,
  options: parseOptions(row.options),
  editable: row.editable === 1,
  enabled: row.enabled === 1,
  previousNames: JSON.parse(row.previousNames) as string[],
});
const toUser = (row: UserTuple | undefined): port.ApiUserRecord | undefined =>
  row && { id: row[0], tenantId: row[1], tenantName: row[2], username: row[3], role: row[4], passwordHash: row[5], disabled: row[6] === 1, ...(row[7] ? { tokenId: row[7] } : {}) };
const toCall = (row: CallTuple | undefined): CallRecord | undefined =>
  row && { callId: row[0], tenantId: row[1], setupTime: row[2], fromNumber: row[3], toNumber: row[4], direction: row[5], duration: row[6], version: row[7] };

/**
 * The rules values are checked against (type, options, max length), decoded
 * once per distinct stored form and shared, frozen, by every value read: a
 * call read does not parse its fields' options JSON again for each value.
 */
class ValueRules {
  private readonly decoded = new Map<string, ValueRule>();

  of(type: ValueRule['type'], options: string | null, maxLength: number | null): ValueRule {
    const key = `${type}\u0000${maxLength}\u0000${options}`;
    let rule = this.decoded.get(key);
    if (!rule) {
      // Definitions change rarely; a map that somehow grew past any real schema starts over.
      if (this.decoded.size >= 10_000) this.decoded.clear();
      const parsed = parseOptions(options);
      rule = Object.freeze({ type, options: parsed && Object.freeze(parsed), maxLength }) as ValueRule;
      this.decoded.set(key, rule);
    }
    return rule;
  }
}

const USER = `select u.id, u.tenant_id as tenantId, t.name as tenantName, u.username, u.role, u.password_hash as passwordHash, u.disabled
  from api_users u join tenants t on t.id = u.tenant_id`;
const CALL_COLUMNS = `call_id as callId, tenant_id as tenantId, setup_time as setupTime, from_number as fromNumber, to_number as toNumber,
    direction, duration, version`;
/** A value's columns (as ValueTuple) and the joins that give its field's name and rule and its writer's name. */
const VALUES = `v.field_id, f.name, v.value, v.updated_at, u.username, f.type, f.options, f.max_length
  from call_custom_field_values v
  join custom_fields f on f.field_id = v.field_id
  left join api_users u on u.id = v.updated_by`;
const BY_FIELD = 'order by f.name, f.field_id';
const FIELD = `select field_id as fieldId, tenant_id as tenantId, name, description, type, options, max_length as maxLength, editable, enabled,
    previous_names as previousNames
  from custom_fields where tenant_id = @tenantId`;

/**
 * The hot-path statements, prepared once per connection, on better-sqlite3
 * directly: drizzle's parameter and row mapping cost more than the queries.
 */
type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(sqlite: Database.Database) {
  const userByUsername = sqlite.prepare<[string], UserTuple>(`${USER} where u.username = ?`).raw();
  const userByTokenHash = sqlite
    .prepare<[string], UserTuple>(`select u.id, u.tenant_id, t.name, u.username, u.role, u.password_hash, u.disabled, k.id
  from api_users u join tenants t on t.id = u.tenant_id join api_tokens k on k.user_id = u.id where k.token_hash = ? and k.revoked_at is null`)
    .raw();
  const call = sqlite.prepare<[string, string], CallTuple>(`select ${CALL_COLUMNS} from calls where call_id = ? and tenant_id = ?`).raw();
  const allFields = sqlite.prepare<{ tenantId: string }, FieldRow>(`${FIELD} order by name, field_id`);
  const enabledFields = sqlite.prepare<{ tenantId: string }, FieldRow>(`${FIELD} and enabled = 1 order by name, field_id`);
  const field = sqlite.prepare<{ tenantId: string; fieldId: string }, FieldRow>(`${FIELD} and field_id = @fieldId`);
  const values = sqlite.prepare<[string], ValueTuple>(`select ${VALUES} where v.call_id = ? and f.enabled = 1 ${BY_FIELD}`).raw();
  const valuesOfCalls = sqlite
    .prepare<[string, string], [callId: string, ...ValueTuple]>(
      `select v.call_id, ${VALUES} where v.call_id in (select value from json_each(?)) and f.tenant_id = ? and f.enabled = 1 ${BY_FIELD}`,
    )
    .raw();
  const rules = new ValueRules();
  const toValue = ([fieldId, name, value, updatedAt, updatedBy, type, options, maxLength]: ValueTuple): CustomFieldValue => ({
    fieldId,
    name,
    value,
    updatedAt,
    updatedBy,
    definition: rules.of(type, options, maxLength),
  });
  return {
    userByUsername: { get: (username: string) => toUser(userByUsername.get(username)) },
    userByTokenHash: { get: (tokenHash: string) => toUser(userByTokenHash.get(tokenHash)) },
    call: { get: (tenantId: string, callId: string) => toCall(call.get(callId, tenantId)) },
    values: { all: (callId: string) => values.all(callId).map(toValue) },
    /** Each value of these calls, by call: one statement for a page, its ids passed as one JSON array. */
    valuesOfCalls: {
      all: (tenantId: string, callIds: readonly string[]) =>
        valuesOfCalls.all(JSON.stringify(callIds), tenantId).map(([callId, ...row]): [string, CustomFieldValue] => [callId, toValue(row)]),
    },
    allFields: { all: (args: { tenantId: string }) => allFields.all(args).map(toField) },
    field: {
      get: (args: { tenantId: string; fieldId: string }) => {
        const row = field.get(args);
        return row && toField(row);
      },
    },
    enabledFields: { all: (args: { tenantId: string }) => enabledFields.all(args).map(toField) },
    deleteValue: sqlite.prepare<{ callId: string; fieldId: string }>('delete from call_custom_field_values where call_id = @callId and field_id = @fieldId'),
    upsertValue: sqlite.prepare<{ callId: string; fieldId: string; value: string; updatedAt: string; updatedBy: string | null }>(
      `insert into call_custom_field_values (call_id, field_id, value, updated_at, updated_by) values (@callId, @fieldId, @value, @updatedAt, @updatedBy)
         on conflict (call_id, field_id) do update set value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    /** The call's stored values by field id, whatever their fields: what a change replaces. */
    storedValues: sqlite.prepare<[string], [fieldId: string, value: string]>('select field_id, value from call_custom_field_values where call_id = ?').raw(),
    /** Takes `count` numbers after the tenant's last: the last one taken, and the commit time (never before the previous one). */
    takeSequences: sqlite
      .prepare<{ tenantId: string; count: number; now: string }, [lastSequence: number, committedAt: string]>(
        `insert into change_log_heads (tenant_id, last_sequence, last_committed_at) values (@tenantId, @count, @now)
           on conflict (tenant_id) do update set last_sequence = last_sequence + excluded.last_sequence,
             last_committed_at = max(last_committed_at, excluded.last_committed_at)
           returning last_sequence, last_committed_at`,
      )
      .raw(),
    appendChange: sqlite.prepare<ChangeTuple>(
      `insert into call_changes (tenant_id, sequence, change_set_id, call_id, field_id, field_name, kind, old_value, new_value, call_version,
         actor_user_id, actor_username, actor_token_id, channel, request_id, client_address, committed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    /** Which of these call ids (a JSON array) exist, in any tenant. */
    existingCalls: sqlite.prepare<[string], string>('select call_id from calls where call_id in (select value from json_each(?))').pluck(),
    insertCall: sqlite.prepare<[callId: string, tenantId: string, setupTime: string, fromNumber: string, toNumber: string, direction: string, duration: number, version: number]>(
      `insert into calls (call_id, tenant_id, setup_time, from_number, to_number, direction, duration, version) values (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertValue: sqlite.prepare<[callId: string, fieldId: string, value: string, updatedAt: string, updatedBy: string | null]>(
      'insert into call_custom_field_values (call_id, field_id, value, updated_at, updated_by) values (?, ?, ?, ?, ?)',
    ),
    bumpVersion: sqlite.prepare<{ callId: string }, CallRecord>(
      `update calls set version = version + 1 where call_id = @callId
         returning ${CALL_COLUMNS}`,
    ),
  };
}
