import type { WebhookStore } from './webhook-store.js';
import type { ApiUserRecord, CredentialKey } from '../core/api-user.js';
import type { AccountWindow, TokenKey } from '../core/account-list.js';
import type { CallImport, CallRecord } from '../core/call.js';
import type { CallFilter } from '../core/call-filter.js';
import type { CallOrder, CallWindow, PageFacts } from '../core/call-list.js';
import type { ChangeChannel, ChangeOrigin, ChangeRecord } from '../core/change-log.js';
import type { ChangeSetDecision, EntryProblem } from '../core/change-set.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../core/custom-field.js';
import type { DefinitionDecision, DefinitionRefusal, NeedsStoredValues } from '../core/field-definition.js';
import type { Role } from '../core/permissions.js';

export type { ApiUserRecord };

export interface Tenant {
  id: string;
  name: string;
}


/** An API user as administrators see it: never a password hash. */
export interface ApiUserSummary {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

/** An API token as administrators see it: never the secret or its hash. */
export interface ApiTokenSummary {
  id: string;
  name: string;
  username: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface AccountPageQuery<Key> {
  tenantId: string;
  window: AccountWindow<Key>;
  /** Count every row of the list too (`total`); null otherwise. */
  withTotal: boolean;
}

/** One page of users or tokens, in list order. */
export interface AccountPage<Row> extends PageFacts {
  rows: Row[];
  total: number | null;
}

export interface CallWithValues {
  call: CallRecord;
  customFields: CustomFieldValue[];
}

export type SetCallCustomFieldsOutcome =
  | ({ kind: 'updated' } & CallWithValues)
  | { kind: 'not_found' }
  | { kind: 'invalid'; problems: EntryProblem[] }
  | { kind: 'version_conflict'; currentVersion: number };

export interface SetCallCustomFieldsCommand {
  tenantId: string;
  callId: string;
  userId: string;
  now: string;
  /** Who writes, through what, from where: the change log records it. */
  origin: ChangeOrigin;
  /** Optimistic concurrency: apply only if the call is still at this version (checked under the write lock). */
  expectedVersion?: number;
  /** Pure decision over the tenant's field definitions, read inside the write transaction. */
  decide: (fields: CustomFieldDefinition[]) => ChangeSetDecision;
}

/** One call of a bulk edit's batch, with the values it had and has (or would have, in a dry run) by field id. */
export interface BulkEditedCall {
  callId: string;
  changed: boolean;
  before: Map<string, string>;
  after: Map<string, string>;
}

/** One batch of a bulk edit: the calls, each locked, decided and written (unless unchanged) in one transaction. */
export interface BulkEditBatchCommand {
  tenantId: string;
  callIds: readonly string[];
  /** The API user editing; null for the operator's CLI. */
  userId: string | null;
  now: string;
  /** Channel `bulk`; the operation id is the requestId. */
  origin: ChangeOrigin;
  /** Decide and report, write nothing. */
  dryRun: boolean;
  /** Pure decision over the tenant's field definitions, read inside the batch's transaction. */
  decide: (fields: CustomFieldDefinition[]) => ChangeSetDecision;
}

/** The batch's calls (those still existing), or the change set refused by the definitions as they are now (nothing written). */
export type BulkEditBatchOutcome = { kind: 'applied'; calls: BulkEditedCall[] } | { kind: 'invalid'; problems: EntryProblem[] };

export interface NewCustomField {
  fieldId: string;
  tenantId: string;
  name: string;
  description: string | null;
  type: CustomFieldDefinition['type'];
  options: string[] | null;
  maxLength: number | null;
  editable: boolean;
  enabled: boolean;
}

export interface DefineCustomFieldCommand {
  tenantId: string;
  now: string;
  /** Pure decision over the tenant's field definitions, read inside the write transaction. */
  decide: (fields: CustomFieldDefinition[]) => DefinitionDecision;
}

export interface UpdateCustomFieldCommand {
  tenantId: string;
  fieldId: string;
  now: string;
  /** Recorded for the values a forced tightening invalidates. */
  origin: ChangeOrigin;
  /**
   * Pure decision over the field and the tenant's fields, read inside the
   * write transaction. It is asked first with `storedValues` null; when it
   * answers `needsStoredValues`, the adapter reads the texts of the field's
   * stored values in the same transaction and asks again with them.
   */
  decide: (
    current: CustomFieldDefinition,
    fields: CustomFieldDefinition[],
    storedValues: string[] | null,
  ) => DefinitionDecision | NeedsStoredValues;
}

export interface DeleteCustomFieldCommand {
  tenantId: string;
  fieldId: string;
  now: string;
  /** Recorded for the values a forced delete removes. */
  origin: ChangeOrigin;
  decide: (field: CustomFieldDefinition, storedValueCount: number) => { ok: true } | { ok: false; refusal: DefinitionRefusal };
}

export type CustomFieldWriteOutcome =
  | { kind: 'written'; field: CustomFieldDefinition; invalidatedValues: number }
  | { kind: 'not_found' }
  | { kind: 'refused'; refusal: DefinitionRefusal };

export type DeleteCustomFieldOutcome =
  | { kind: 'deleted'; field: CustomFieldDefinition; deletedValues: number }
  | { kind: 'not_found' }
  | { kind: 'refused'; refusal: DefinitionRefusal };

export interface UpdateApiUserCommand {
  tenantId: string;
  username: string;
  change: { role?: Role; passwordHash?: string; disabled?: boolean };
  /** Pure decision over the user and every user of its tenant, read inside the write transaction. */
  decide: (user: ApiUserSummary, tenantUsers: ApiUserSummary[]) => { ok: true } | { ok: false; message: string };
}

export type UpdateApiUserOutcome =
  | { kind: 'updated'; user: ApiUserSummary }
  | { kind: 'not_found' }
  | { kind: 'refused'; message: string };

/** A call to import, with the line of the file it was read from, which an ImportError about it names. */
export type NumberedCallImport = CallImport & { line?: number };

export interface ImportCallsCommand {
  tenantId: string;
  /**
   * The calls, read a chunk at a time inside the transaction: each chunk is
   * checked and written before the next is read, so the import holds one
   * chunk whatever the number of calls. The iterable is read once, and
   * synchronously (SQLite's transaction cannot span an await); reading may
   * throw ImportError for a call that cannot be read, which rolls back.
   */
  calls: Iterable<NumberedCallImport>;
  now: string;
  /** Recorded for every imported value. */
  origin: ChangeOrigin;
  decide: (entries: CallImport['customFields'], fields: CustomFieldDefinition[]) => ChangeSetDecision;
  /** Told the number of calls written so far, after each chunk (inside the transaction: they commit together at the end). */
  progress?: (written: number) => void;
  /** Told once every call is written: what remains (the change log on PostgreSQL, the COMMIT) takes a large import seconds. */
  finishing?: (written: number) => void;
}

/**
 * A starting data set written in one transaction: the tenant (created unless
 * `existing`), users, their tokens, field definitions and calls.
 */
export interface SeedCommand {
  now: string;
  tenant: Tenant & { existing: boolean };
  users: { id: string; username: string; passwordHash: string; role: Role }[];
  tokens: { id: string; userId: string; name: string; tokenHash: string }[];
  fields: Omit<NewCustomField, 'tenantId'>[];
  calls: CallImport[];
  decide: ImportCallsCommand['decide'];
  origin: ChangeOrigin;
}

/** One page of a tenant's calls: the filter, the order (call_id breaks ties) and the window. */
export interface ListCallsQuery {
  tenantId: string;
  filter: CallFilter;
  order: CallOrder;
  window: CallWindow;
  /** Also count every call the filter matches (on all pages). */
  withTotal: boolean;
}

export interface CallPage extends PageFacts {
  /** In list order, at most `window.take`. */
  calls: CallRecord[];
  /** The number of calls the filter matches, when asked for. */
  total: number | null;
}

/**
 * Records of a tenant's change log, by sequence. Every filter given must
 * match; within one filter, any of its values. Sequence bounds exclusive.
 */
export interface ChangeQuery {
  tenantId: string;
  callIds?: readonly string[];
  /** Records of these fields, by id or by the name the field had when the record was written. */
  fields?: { ids: readonly string[]; names: readonly string[] };
  /** Usernames; `cli` is the operator's CLI. */
  actors?: readonly string[];
  channels?: readonly ChangeChannel[];
  /** Committed at or after this instant. */
  committedFrom?: string;
  /** Committed before this instant. */
  committedBefore?: string;
  afterSequence?: number;
  beforeSequence?: number;
  order: 'asc' | 'desc';
  limit: number;
}

/** Thrown by a store when a write would break a uniqueness rule; `what` names the rule for the operator. */
export class DuplicateError extends Error {
  constructor(readonly what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateError';
  }
}

/** Thrown by importCalls; `line` is the offending call's line, or its position from 1 when the calls carry no lines. */
export class ImportError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The database URL or its options cannot name a usable database; the message says what to fix. */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

/**
 * The database can never serve this request (PostgreSQL's "program limit
 * exceeded", SQLSTATE class 54: a value too large for an index entry, a
 * statement too complex): the client's to change, not a server fault.
 */
export class StoreLimitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreLimitError';
  }
}

/**
 * The database cannot serve the request now: it is unreachable, a statement
 * ran past its timeout, or concurrent transactions kept conflicting after the
 * adapter's retries. The message is written for clients and operators (no
 * driver details); the driver's error is the `cause`. Trying again later may
 * succeed.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The persistence port. Every adapter owns its transactions: each write
 * method is atomic, and nothing outside src/store knows the dialect. A
 * database that is down or overloaded surfaces as StoreUnavailableError.
 */
/** A tenant's log may have grown to `sequence`; `tenantId: null`: any tenant's may have (after notifications were missed). */
export type ChangeWake = { tenantId: string; sequence: number } | { tenantId: null };

/**
 * The user a credential names, read in the same statement as a read's data:
 * null when there is none (an unknown or revoked token, an unknown name);
 * undefined when the statement returned no row to carry it (no such call, an
 * empty page), so the caller must look the user up by itself.
 */
export type CredentialHolder = ApiUserRecord | null | undefined;

/**
 * Reads that also read, in the same statement, the row of the user a
 * credential names, for authentication to decide on (auth/provisional.ts).
 * A store offers them where a round trip costs more than the lookup itself
 * (PostgreSQL); the data are the plain read's, the user is findUserBy*'s.
 */
export interface CredentialedReads {
  getCall(credential: CredentialKey, tenantId: string, callId: string): Promise<{ found: CallWithValues | null; user: CredentialHolder }>;
  listCalls(credential: CredentialKey, query: ListCallsQuery): Promise<{ page: CallPage; user: CredentialHolder }>;
}

export interface CallStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Present where a request's authentication can travel with its first read (see CredentialedReads). */
  readonly credentialed?: CredentialedReads;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Whether the database answers and every migration is applied; the reason when not. */
  checkReady(): Promise<{ ready: true } | { ready: false; reason: string }>;
  /** Counters for metrics, e.g. group commits or pool connections. */
  stats?(): Record<string, number>;

  findUserByUsername(username: string): Promise<ApiUserRecord | null>;
  findUserByTokenHash(tokenHash: string): Promise<ApiUserRecord | null>;

  getCall(tenantId: string, callId: string): Promise<CallWithValues | null>;
  listCustomFields(tenantId: string, options?: { includeDisabled?: boolean }): Promise<CustomFieldDefinition[]>;
  /**
   * A page of the tenant's calls by keyset (never by scanning the skipped
   * rows, except for an explicit offset), in one statement when the page is
   * not empty.
   */
  listCalls(query: ListCallsQuery): Promise<CallPage>;
  /**
   * The stored values of enabled fields of each given call of the tenant,
   * ordered by field name, in one statement whatever the number of calls.
   * A call without values maps to an empty list.
   */
  listCustomFieldValues(tenantId: string, callIds: readonly string[]): Promise<Map<string, CustomFieldValue[]>>;

  setCallCustomFields(command: SetCallCustomFieldsCommand): Promise<SetCallCustomFieldsOutcome>;
  /** One batch of a bulk edit in one transaction; calls already holding the values are not written. */
  applyBulkEditBatch(command: BulkEditBatchCommand): Promise<BulkEditBatchOutcome>;

  /** Records of a tenant's change log in sequence order, by index, whatever the log's size. */
  readChanges(query: ChangeQuery): Promise<ChangeRecord[]>;
  /**
   * Tells `onWake` when a tenant's change log may have grown, until the
   * returned function is called. A wake-up only (it may come twice, or for
   * nothing): readChanges says what is new.
   */
  watchChanges(onWake: (wake: ChangeWake) => void): () => Promise<void>;
  /**
   * The webhook port (store/webhook-store.ts); secretKey is WEBHOOK_SECRET_KEY.
   * Only the SQLite adapter has it yet.
   */
  webhooks?(options?: { secretKey?: string | undefined }): WebhookStore;
  /** Deletes records committed before `before`, at most `batch` in one short transaction; the number deleted. */
  deleteChangesBefore(before: string, batch: number): Promise<number>;

  createTenant(tenant: Tenant & { now: string }): Promise<Tenant>;
  findTenantByName(name: string): Promise<Tenant | null>;
  createApiUser(user: { id: string; tenantId: string; username: string; passwordHash: string; role: Role; now: string }): Promise<void>;
  createApiToken(token: { id: string; userId: string; name: string; tokenHash: string; now: string }): Promise<void>;
  /** Inserts a definition as given (operator tools); throws DuplicateError for a taken id or name. */
  createCustomField(field: NewCustomField & { now: string }): Promise<CustomFieldDefinition>;

  /** One field of a tenant, enabled or not; null for another tenant's field. */
  getCustomField(tenantId: string, fieldId: string): Promise<CustomFieldDefinition | null>;
  /** Creates the field `decide` returns, in one transaction with the check. */
  defineCustomField(command: DefineCustomFieldCommand): Promise<CustomFieldWriteOutcome>;
  /** Changes a field as `decide` returns, in one transaction with the check; stored values stay as they are. */
  updateCustomField(command: UpdateCustomFieldCommand): Promise<CustomFieldWriteOutcome>;
  /** Deletes a field and every stored value of it in one transaction, bumping the version of each call that loses a value. */
  deleteCustomField(command: DeleteCustomFieldCommand): Promise<DeleteCustomFieldOutcome>;

  /** Every user of a tenant by username (the CLI's list). */
  listApiUsers(tenantId: string): Promise<ApiUserSummary[]>;
  /** A page of a tenant's users by username (byte order), keyset on the username. */
  pageApiUsers(query: AccountPageQuery<string>): Promise<AccountPage<ApiUserSummary>>;
  updateApiUser(command: UpdateApiUserCommand): Promise<UpdateApiUserOutcome>;
  /**
   * Replaces a user's password hash with a new hash of the same password,
   * only while the stored hash is still `from` (a password changed meanwhile
   * stays changed); false when it was not.
   */
  replacePasswordHash(command: { userId: string; from: string; to: string }): Promise<boolean>;
  /** Every token of a tenant's users by username, then creation (the CLI's list). */
  listApiTokens(tenantId: string): Promise<ApiTokenSummary[]>;
  /** A page of the tokens of a tenant's users, oldest first, ties by token id; keyset on both. */
  pageApiTokens(query: AccountPageQuery<TokenKey>): Promise<AccountPage<ApiTokenSummary>>;
  /** Revokes a token of the tenant (again is a no-op); null when the tenant has no such token. */
  revokeApiToken(command: { tenantId: string; tokenId: string; now: string }): Promise<ApiTokenSummary | null>;
  /**
   * Imports all calls in one transaction, or none: throws ImportError naming
   * the first bad call. Memory stays flat whatever the number of calls. Run
   * once: on PostgreSQL a serialization failure or deadlock is not retried
   * (the calls are read as they are written), it fails the import, which
   * can be run again.
   */
  importCalls(command: ImportCallsCommand): Promise<number>;
  /** Writes the whole seed in one transaction, or nothing (DuplicateError, ImportError). */
  seed(command: SeedCommand): Promise<void>;
}
