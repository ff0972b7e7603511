import type { CallImport, CallRecord } from '../core/call.js';
import type { CallFilter } from '../core/call-filter.js';
import type { CallOrder, CallWindow, PageFacts } from '../core/call-list.js';
import type { ChangeSetDecision, EntryProblem } from '../core/change-set.js';
import type { CustomFieldDefinition, CustomFieldValue } from '../core/custom-field.js';
import type { Role } from '../core/permissions.js';

export interface Tenant {
  id: string;
  name: string;
}

export interface ApiUserRecord {
  id: string;
  tenantId: string;
  tenantName: string;
  username: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
}

export interface CallWithValues {
  call: CallRecord;
  customFields: CustomFieldValue[];
}

export type SetCallCustomFieldsOutcome =
  | ({ kind: 'updated' } & CallWithValues)
  | { kind: 'not_found' }
  | { kind: 'invalid'; problems: EntryProblem[] };

export interface SetCallCustomFieldsCommand {
  tenantId: string;
  callId: string;
  userId: string;
  now: string;
  /** Pure decision over the tenant's field definitions, read inside the write transaction. */
  decide: (fields: CustomFieldDefinition[]) => ChangeSetDecision;
}

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

export interface ImportCallsCommand {
  tenantId: string;
  calls: CallImport[];
  now: string;
  decide: (entries: CallImport['customFields'], fields: CustomFieldDefinition[]) => ChangeSetDecision;
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

/** Thrown by a store when a write would break a uniqueness rule; `what` names the rule for the operator. */
export class DuplicateError extends Error {
  constructor(readonly what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateError';
  }
}

/** Thrown by importCalls; `index` is the position of the offending call in the command. */
export class ImportError extends Error {
  constructor(
    readonly index: number,
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
export interface CallStore {
  readonly dialect: 'sqlite' | 'postgres';
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

  createTenant(tenant: Tenant & { now: string }): Promise<Tenant>;
  findTenantByName(name: string): Promise<Tenant | null>;
  createApiUser(user: { id: string; tenantId: string; username: string; passwordHash: string; role: Role; now: string }): Promise<void>;
  createApiToken(token: { id: string; userId: string; name: string; tokenHash: string; now: string }): Promise<void>;
  createCustomField(field: NewCustomField & { now: string }): Promise<CustomFieldDefinition>;
  /** Imports all calls in one transaction, or none: throws ImportError naming the first bad call. */
  importCalls(command: ImportCallsCommand): Promise<number>;
  /** Writes the whole seed in one transaction, or nothing (DuplicateError, ImportError). */
  seed(command: SeedCommand): Promise<void>;
}
