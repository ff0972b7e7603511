/**
 * The store's write workflows, each written once: load (and lock) what the
 * command decides on, check the expected version, ask the core (the
 * command's `decide`), write the change. The dialect adapters supply only
 * primitives (the statements, and the locks their database needs) and run
 * a workflow inside their own transaction.
 *
 * How a workflow stays synchronous on SQLite: a workflow is a generator
 * function and every primitive is a generator too, called with `yield*`.
 * SQLite's primitives run better-sqlite3 statements and return without ever
 * yielding (their type, `Step<never, T>`, says so), so `runSync` finishes the
 * whole workflow in one `next()`: inside the caller's BEGIN IMMEDIATE
 * transaction or group-commit savepoint, on the same tick, with plain values
 * and no promise in between. PostgreSQL's primitives yield the driver's
 * promises, and `runAsync` resumes the workflow with each result.
 */
import { randomUUID } from 'node:crypto';
import type { CallImport, CallRecord } from '../core/call.js';
import { changeEntries, type ChangeEntry, type ChangeOrigin, type ChangeSet } from '../core/change-log.js';
import type { FieldChange } from '../core/change-set.js';
import { isStoredValueValid, type CustomFieldDefinition, type CustomFieldValue } from '../core/custom-field.js';
import { CONFLICT_MESSAGES, type PreviousNamesChange } from '../core/field-definition.js';
import {
  ImportError,
  type ApiTokenSummary,
  type ApiUserSummary,
  type CustomFieldWriteOutcome,
  type DefineCustomFieldCommand,
  type DeleteCustomFieldCommand,
  type DeleteCustomFieldOutcome,
  type ImportCallsCommand,
  type NumberedCallImport,
  type SeedCommand,
  type BulkEditBatchCommand,
  type BulkEditBatchOutcome,
  type BulkEditedCall,
  type SetCallCustomFieldsCommand,
  type SetCallCustomFieldsOutcome,
  type UpdateApiUserCommand,
  type UpdateApiUserOutcome,
  type UpdateCustomFieldCommand,
} from './call-store.js';

/** One primitive or workflow: yields `Y` (nothing on SQLite, promises on PostgreSQL) and returns `T`. */
export type Step<Y, T> = Generator<Y, T, unknown>;

/** Runs a workflow whose primitives never yield, to its end, now. */
export function runSync<T>(workflow: Step<never, T>): T {
  const step = workflow.next();
  if (!step.done) throw new Error('A synchronous store workflow yielded');
  return step.value;
}

/** Runs a workflow whose primitives yield promises, resuming it with each one's result. */
export async function runAsync<T>(workflow: Step<Promise<unknown>, T>): Promise<T> {
  let step = workflow.next();
  while (!step.done) step = workflow.next(await step.value);
  return step.value;
}

/** A PostgreSQL primitive's wait for the driver: yields the promise, returns its result. */
export function* awaited<T>(promise: Promise<T>): Step<Promise<unknown>, T> {
  return (yield promise) as T;
}

/** Change sets to append to a tenant's log, with who made them and when. */
export interface LogAppend {
  tenantId: string;
  origin: ChangeOrigin;
  now: string;
  sets: ChangeSet[];
}

/** One change set whose call version is known only once the version is bumped. */
export type PendingChangeSet = Omit<LogAppend, 'sets'> & { id: string; entries: ChangeEntry[] };

/** A stored value with its call's version, as field administration changes it. */
export interface StoredValueOfCall {
  callId: string;
  value: string;
  /** The call's version after the change (bumped where the value goes). */
  version: number;
}

export interface CallValuePrimitives<Y> {
  /** The call, held against concurrent writers until the transaction ends. */
  lockCall(tenantId: string, callId: string): Step<Y, CallRecord | undefined>;
  /** Every field of the tenant, enabled or not, and the call's stored values by field id. */
  readFieldsAndValues(tenantId: string, callId: string): Step<Y, { fields: CustomFieldDefinition[]; current: Map<string, string> }>;
  /** The call's values as stored, after any writes before it. */
  readValues(callId: string): Step<Y, CustomFieldValue[]>;
  /** Writes each change (null clears the value); an adapter may send the writes with the readValues that follows. */
  writeValues(callId: string, changes: readonly FieldChange[], now: string, userId: string | null): Step<Y, void>;
  /** Bumps the call's version and appends the change set, if any, at that version (setCallCustomFields' last statement; a bulk batch's are many). */
  commitChange(callId: string, changeSet: PendingChangeSet | null): Step<Y, CallRecord>;
}

/** Appends change sets to a tenant's log, numbering the records after the tenant's last. */
export interface LogPrimitives<Y> {
  appendChanges(log: LogAppend): Step<Y, void>;
}

/** `Locked` is what locking the calls that hold a field's values returns, handed back to deleting them. */
export interface FieldPrimitives<Y, Locked> extends LogPrimitives<Y> {
  /** Serialises definition changes of one tenant (names are unique per tenant). */
  lockTenantFields(tenantId: string): Step<Y, void>;
  /** The field, held against concurrent writers until the transaction ends. */
  lockField(tenantId: string, fieldId: string): Step<Y, CustomFieldDefinition | undefined>;
  readField(tenantId: string, fieldId: string): Step<Y, CustomFieldDefinition | undefined>;
  /** Whether the tenant has a call with this id (a field must not take it: `node(id:)` resolves either). */
  tenantHasCall(tenantId: string, callId: string): Step<Y, boolean>;
  /** Every field of the tenant, enabled or not. */
  readFields(tenantId: string): Step<Y, CustomFieldDefinition[]>;
  /** The texts of the field's stored values. */
  storedValues(fieldId: string): Step<Y, string[]>;
  /** Sets the earlier names of another field of the tenant. */
  setPreviousNames(tenantId: string, change: PreviousNamesChange): Step<Y, void>;
  insertField(row: NewFieldRow): Step<Y, void>;
  updateField(fieldId: string, field: FieldColumns): Step<Y, void>;
  lockCallsWithValuesOf(fieldId: string): Step<Y, Locked>;
  countStoredValues(fieldId: string): Step<Y, number>;
  /** The field's stored values with their calls and versions. */
  valuesOfField(fieldId: string): Step<Y, StoredValueOfCall[]>;
  /** Deletes the field's stored values, bumping the version of each call that loses one; the values with the versions after. */
  deleteStoredValues(fieldId: string, calls: Locked): Step<Y, StoredValueOfCall[]>;
  deleteField(fieldId: string): Step<Y, void>;
}

/** The columns a definition change writes. */
export type FieldColumns = Omit<CustomFieldDefinition, 'fieldId' | 'tenantId' | 'previousNames'> & { previousNames: string[] };

export type NewFieldRow = FieldColumns & { fieldId: string; tenantId: string; createdAt: string };

export type UserChange = { role?: ApiUserSummary['role']; passwordHash?: string; disabled?: boolean };

export interface AccountPrimitives<Y> {
  /** Every user of the tenant, held against concurrent updates until the transaction ends. */
  lockTenantUsers(tenantId: string): Step<Y, ApiUserSummary[]>;
  updateUser(userId: string, change: UserChange): Step<Y, void>;
  readUser(userId: string): Step<Y, ApiUserSummary>;
  /** The token if the tenant has it, held against concurrent writers until the transaction ends. */
  lockToken(tenantId: string, tokenId: string): Step<Y, ApiTokenSummary | undefined>;
  revokeToken(tokenId: string, now: string): Step<Y, void>;
}

export type NewCallRow = CallImport['call'] & { tenantId: string; version: number };
export type NewValueRow = { callId: string; fieldId: string; value: string; updatedAt: string; updatedBy: null };

export interface ImportPrimitives<Y> extends LogPrimitives<Y> {
  /** Calls checked and inserted together, and the most a chunk of an import holds in memory. */
  readonly importChunk: number;
  /** Serialises the import with definition changes of the tenant, so no field takes an imported call's id meanwhile. */
  lockTenantFields(tenantId: string): Step<Y, void>;
  /** Every field of the tenant, enabled or not. */
  readFields(tenantId: string): Step<Y, CustomFieldDefinition[]>;
  /** Which of these call ids exist already (in any tenant), those written earlier in this transaction included. */
  existingCalls(callIds: string[]): Step<Y, ReadonlySet<string>>;
  insertCalls(calls: NewCallRow[], values: NewValueRow[]): Step<Y, void>;
  /**
   * One chunk's change sets of an import: appended to the log now, or held
   * in the database (never in memory) until appendStagedChanges, where
   * taking the log's numbers would hold the tenant's other writers until
   * COMMIT.
   */
  stageChanges(log: LogAppend): Step<Y, void>;
  /** Appends what stageChanges held in this transaction, if anything. */
  appendStagedChanges(log: Omit<LogAppend, 'sets'>): Step<Y, void>;
}

export function* setCallCustomFields<Y>(p: CallValuePrimitives<Y>, command: SetCallCustomFieldsCommand): Step<Y, SetCallCustomFieldsOutcome> {
  // The call comes first: whoever holds it decides on the field definitions as they are now.
  const call = yield* p.lockCall(command.tenantId, command.callId);
  if (!call) return { kind: 'not_found' };
  if (command.expectedVersion !== undefined && call.version !== command.expectedVersion) {
    return { kind: 'version_conflict', currentVersion: call.version };
  }
  const { fields, current } = yield* p.readFieldsAndValues(command.tenantId, call.callId);
  const decision = command.decide(fields);
  if (!decision.ok) return { kind: 'invalid', problems: decision.problems };
  if (decision.changes.length === 0) return { kind: 'updated', call, customFields: yield* p.readValues(call.callId) };
  yield* p.writeValues(call.callId, decision.changes, command.now, command.userId);
  const customFields = yield* p.readValues(call.callId);
  // A value set to what it already was is written again (the version moves, as always) but recorded as no change.
  const entries = changeEntries(call.callId, current, decision.changes, fields);
  const { tenantId, origin, now } = command;
  const updated = yield* p.commitChange(call.callId, entries.length > 0 ? { tenantId, origin, now, id: randomUUID(), entries } : null);
  return { kind: 'updated', call: updated, customFields };
}

/**
 * One batch of a bulk edit: each call is locked, the change set decided on
 * the definitions as they are now, and written with its change record only
 * when a value differs (so re-running an edit writes nothing). A call deleted
 * meanwhile is skipped.
 */
export function* applyBulkEditBatch<Y>(p: CallValuePrimitives<Y>, command: BulkEditBatchCommand): Step<Y, BulkEditBatchOutcome> {
  const { tenantId, origin, now } = command;
  const calls: BulkEditedCall[] = [];
  for (const callId of command.callIds) {
    const call = yield* p.lockCall(tenantId, callId);
    if (!call) continue;
    const { fields, current } = yield* p.readFieldsAndValues(tenantId, call.callId);
    const decision = command.decide(fields);
    if (!decision.ok) return { kind: 'invalid', problems: decision.problems };
    const entries = changeEntries(call.callId, current, decision.changes, fields);
    const after = new Map(current);
    for (const change of decision.changes) {
      if (change.value === null) after.delete(change.fieldId);
      else after.set(change.fieldId, change.value);
    }
    calls.push({ callId: call.callId, changed: entries.length > 0, before: current, after });
    if (entries.length === 0 || command.dryRun) continue;
    const written = decision.changes.filter((change) => (current.get(change.fieldId) ?? null) !== change.value);
    yield* p.writeValues(call.callId, written, now, command.userId);
    yield* p.commitChange(call.callId, { tenantId, origin, now, id: randomUUID(), entries });
  }
  return { kind: 'applied', calls };
}

/** One change set per call, each entry made by `entry` from a value of the field. */
function fieldChangeSets(values: readonly StoredValueOfCall[], entry: (value: StoredValueOfCall) => ChangeEntry): ChangeSet[] {
  return values.map((value) => ({ id: randomUUID(), callId: value.callId, callVersion: value.version, entries: [entry(value)] }));
}

/** The answer when the id asked for is another field's (field ids are unique across tenants): adapters give it for a uniqueness violation. */
export const duplicateFieldId = (): CustomFieldWriteOutcome => ({ kind: 'refused', refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.duplicateId } });

/** Writes a decided definition (inserted when `now` is given, else updated) after the earlier names other fields give up to it. */
function* writeDefinition<Y>(p: FieldPrimitives<Y, unknown>, field: CustomFieldDefinition, previousNamesChanges: PreviousNamesChange[], now: string | null): Step<Y, void> {
  const columns: FieldColumns = {
    name: field.name,
    description: field.description,
    type: field.type,
    options: field.options,
    maxLength: field.maxLength,
    editable: field.editable,
    enabled: field.enabled,
    previousNames: [...(field.previousNames ?? [])],
  };
  for (const change of previousNamesChanges) yield* p.setPreviousNames(field.tenantId, change);
  if (now === null) yield* p.updateField(field.fieldId, columns);
  else yield* p.insertField({ fieldId: field.fieldId, tenantId: field.tenantId, ...columns, createdAt: now });
}

export function* defineCustomField<Y>(p: FieldPrimitives<Y, unknown>, command: DefineCustomFieldCommand): Step<Y, CustomFieldWriteOutcome> {
  yield* p.lockTenantFields(command.tenantId);
  const decision = command.decide(yield* p.readFields(command.tenantId));
  if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
  if (yield* p.tenantHasCall(command.tenantId, decision.field.fieldId)) {
    return { kind: 'refused', refusal: { kind: 'duplicate', message: CONFLICT_MESSAGES.idUsedByCall } };
  }
  yield* writeDefinition(p, decision.field, decision.previousNamesChanges, command.now);
  return { kind: 'written', field: (yield* p.readField(command.tenantId, decision.field.fieldId))!, invalidatedValues: 0 };
}

export function* updateCustomField<Y>(p: FieldPrimitives<Y, unknown>, command: UpdateCustomFieldCommand): Step<Y, CustomFieldWriteOutcome> {
  yield* p.lockTenantFields(command.tenantId);
  const current = yield* p.lockField(command.tenantId, command.fieldId);
  if (!current) return { kind: 'not_found' };
  const fields = yield* p.readFields(command.tenantId);
  let decision = command.decide(current, fields, null);
  if ('needsStoredValues' in decision) decision = command.decide(current, fields, yield* p.storedValues(current.fieldId));
  if ('needsStoredValues' in decision) throw new Error('The update decision asked for stored values twice');
  if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
  yield* writeDefinition(p, decision.field, decision.previousNamesChanges, null);
  if (decision.invalidatedValues > 0) {
    // The values stay as they are, now judged invalid: each is recorded as such, at its call's version.
    const next = decision.field;
    const invalidated = (yield* p.valuesOfField(current.fieldId)).filter((v) => isStoredValueValid(current, v.value) && !isStoredValueValid(next, v.value));
    const sets = fieldChangeSets(invalidated, ({ callId, value }) => ({ callId, fieldId: next.fieldId, fieldName: next.name, kind: 'invalidated', oldValue: value, newValue: value }));
    yield* p.appendChanges({ tenantId: command.tenantId, origin: command.origin, now: command.now, sets });
  }
  return { kind: 'written', field: (yield* p.readField(command.tenantId, current.fieldId))!, invalidatedValues: decision.invalidatedValues };
}

export function* deleteCustomField<Y, Locked>(p: FieldPrimitives<Y, Locked>, command: DeleteCustomFieldCommand): Step<Y, DeleteCustomFieldOutcome> {
  yield* p.lockTenantFields(command.tenantId);
  const field = yield* p.lockField(command.tenantId, command.fieldId);
  if (!field) return { kind: 'not_found' };
  // The calls that lose a value are locked first, as a value write locks its call, so the two serialise on the call.
  const losers = yield* p.lockCallsWithValuesOf(field.fieldId);
  const stored = yield* p.countStoredValues(field.fieldId);
  const decision = command.decide(field, stored);
  if (!decision.ok) return { kind: 'refused', refusal: decision.refusal };
  if (stored > 0) {
    const deleted = yield* p.deleteStoredValues(field.fieldId, losers);
    const sets = fieldChangeSets(deleted, ({ callId, value }) => ({ callId, fieldId: field.fieldId, fieldName: field.name, kind: 'field_deleted', oldValue: value, newValue: null }));
    yield* p.appendChanges({ tenantId: command.tenantId, origin: command.origin, now: command.now, sets });
  }
  yield* p.deleteField(field.fieldId);
  return { kind: 'deleted', field, deletedValues: stored };
}

export function* updateApiUser<Y>(p: AccountPrimitives<Y>, command: UpdateApiUserCommand): Step<Y, UpdateApiUserOutcome> {
  // Every user of the tenant: the decision (e.g. "keep one admin") holds against concurrent updates.
  const tenantUsers = yield* p.lockTenantUsers(command.tenantId);
  const user = tenantUsers.find((u) => u.username === command.username);
  if (!user) return { kind: 'not_found' };
  const decision = command.decide(user, tenantUsers);
  if (!decision.ok) return { kind: 'refused', message: decision.message };
  const { role, passwordHash, disabled } = command.change;
  const change: UserChange = {};
  if (role !== undefined) change.role = role;
  if (passwordHash !== undefined) change.passwordHash = passwordHash;
  if (disabled !== undefined) change.disabled = disabled;
  if (Object.keys(change).length > 0) yield* p.updateUser(user.id, change);
  return { kind: 'updated', user: yield* p.readUser(user.id) };
}

export function* revokeApiToken<Y>(p: AccountPrimitives<Y>, command: { tenantId: string; tokenId: string; now: string }): Step<Y, ApiTokenSummary | null> {
  const token = yield* p.lockToken(command.tenantId, command.tokenId);
  if (!token) return null;
  if (token.revokedAt !== null) return token;
  yield* p.revokeToken(token.id, command.now);
  return { ...token, revokedAt: command.now };
}

/** The next chunk of at most `size` calls, each with its line (its position from 1 when it has none); empty at the end. */
function nextChunk(calls: Iterator<NumberedCallImport>, size: number, read: number): (NumberedCallImport & { line: number })[] {
  const chunk: (NumberedCallImport & { line: number })[] = [];
  while (chunk.length < size) {
    const next = calls.next();
    if (next.done) break;
    chunk.push(next.value.line === undefined ? { ...next.value, line: read + chunk.length + 1 } : (next.value as NumberedCallImport & { line: number }));
  }
  return chunk;
}

/**
 * Throws ImportError for the first call that exists already (or earlier in the import), whose id is a custom
 * field's of the tenant (`node(id:)` resolves either), or whose values the decision refuses. Reads and writes a
 * chunk at a time: a call written by an earlier chunk is found by existingCalls in this transaction, so no set of
 * every id read is kept.
 */
export function* importCalls<Y>(p: ImportPrimitives<Y>, command: ImportCallsCommand): Step<Y, number> {
  const { tenantId, origin, now } = command;
  yield* p.lockTenantFields(tenantId);
  const fields = yield* p.readFields(tenantId);
  const fieldIds = new Set(fields.map((field) => field.fieldId.toLowerCase()));
  const calls = command.calls[Symbol.iterator]();
  let imported = 0;
  for (;;) {
    const chunk = nextChunk(calls, p.importChunk, imported);
    if (chunk.length === 0) break;
    const existing = yield* p.existingCalls(chunk.map(({ call }) => call.callId));
    const seen = new Set<string>();
    const values: NewValueRow[] = [];
    const sets: ChangeSet[] = [];
    for (const { call, customFields: entries, line } of chunk) {
      if (existing.has(call.callId) || seen.has(call.callId)) throw new ImportError(line, `call ${call.callId} already exists`);
      if (fieldIds.has(call.callId.toLowerCase())) throw new ImportError(line, `call ${call.callId}: id is already used by a custom field`);
      seen.add(call.callId);
      const decision = command.decide(entries, fields);
      if (!decision.ok) {
        const problem = decision.problems[0]!;
        throw new ImportError(line, `custom_fields.${problem.index}${problem.attribute ? `.${problem.attribute}` : ''}: ${problem.message}`);
      }
      const written = decision.changes.filter((c): c is { fieldId: string; value: string } => c.value !== null);
      for (const c of written) values.push({ callId: call.callId, fieldId: c.fieldId, value: c.value, updatedAt: now, updatedBy: null });
      const entriesWritten = changeEntries(call.callId, new Map(), written, fields);
      if (entriesWritten.length > 0) sets.push({ id: randomUUID(), callId: call.callId, callVersion: 1, entries: entriesWritten });
    }
    yield* p.insertCalls(
      chunk.map(({ call }) => ({ ...call, tenantId, version: 1 })),
      values,
    );
    if (sets.length > 0) yield* p.stageChanges({ tenantId, origin, now, sets });
    imported += chunk.length;
    command.progress?.(imported);
  }
  command.finishing?.(imported);
  yield* p.appendStagedChanges({ tenantId, origin, now });
  return imported;
}

export interface SeedPrimitives<Y> extends ImportPrimitives<Y> {
  /** The seed's tenant (unless it exists), users, tokens and field definitions. */
  insertSeedRows(command: SeedCommand): Step<Y, void>;
}

export function* seed<Y>(p: SeedPrimitives<Y>, command: SeedCommand): Step<Y, void> {
  yield* p.insertSeedRows(command);
  yield* importCalls(p, { tenantId: command.tenant.id, calls: command.calls, now: command.now, decide: command.decide, origin: command.origin });
}
