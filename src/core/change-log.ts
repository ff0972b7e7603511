import type { FieldChange } from './change-set.js';
import type { CustomFieldDefinition, CustomFieldValue, ValueRule } from './custom-field.js';

/**
 * The change log: one ordered record per change of a stored custom field
 * value, per tenant. The rules here are pure; the stores append the records
 * in the transaction of the change and hand out the sequence numbers.
 */

/** Where a change came in. */
export const CHANGE_CHANNELS = ['rest', 'graphql', 'import', 'admin', 'bulk'] as const;
export type ChangeChannel = (typeof CHANGE_CHANNELS)[number];

/**
 * What happened to the value: set (or replaced), cleared, removed with its
 * field by a forced delete, or left as it was but no longer valid after a
 * forced tightening of its field's definition.
 */
export const CHANGE_KINDS = ['set', 'cleared', 'field_deleted', 'invalidated'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** An API user acting, with the token it used (null for a password login); null is the operator's CLI. */
export interface ChangeActor {
  userId: string;
  username: string;
  tokenId: string | null;
}

/** Who made a change, through what, and from where. */
export interface ChangeOrigin {
  actor: ChangeActor | null;
  channel: ChangeChannel;
  requestId: string | null;
  clientAddress: string | null;
}

/** What the CLI's writes are recorded as. */
export const cliOrigin = (channel: ChangeChannel): ChangeOrigin => ({ actor: null, channel, requestId: null, clientAddress: null });

/** How the actor filter and the CLI name the operator's CLI. */
export const CLI_ACTOR = 'cli';

/** One value's change within a change set, before the store numbers it. */
export interface ChangeEntry {
  callId: string;
  fieldId: string;
  /** The field's name when the change was made. */
  fieldName: string;
  kind: ChangeKind;
  oldValue: string | null;
  newValue: string | null;
}

/** Changes of one call made together: they share an id and the call's version after them. */
export interface ChangeSet {
  id: string;
  callId: string;
  callVersion: number;
  entries: ChangeEntry[];
}

/** A record of the log as it is read. */
export interface ChangeRecord extends ChangeEntry, ChangeOrigin {
  /** Strictly increasing per tenant in commit order. */
  sequence: number;
  changeSetId: string;
  callVersion: number;
  committedAt: string;
}

/**
 * The records a decided change set writes: one per field whose stored value
 * actually changes. Setting a value to what it already is records nothing.
 * `current` maps field ids to the call's stored values before the change.
 */
export function changeEntries(
  callId: string,
  current: ReadonlyMap<string, string>,
  changes: readonly FieldChange[],
  fields: readonly CustomFieldDefinition[],
): ChangeEntry[] {
  const names = new Map(fields.map((f) => [f.fieldId, f.name]));
  const entries: ChangeEntry[] = [];
  for (const change of changes) {
    const oldValue = current.get(change.fieldId) ?? null;
    if (oldValue === change.value) continue;
    entries.push({
      callId,
      fieldId: change.fieldId,
      fieldName: names.get(change.fieldId) ?? change.fieldId,
      kind: change.value === null ? 'cleared' : 'set',
      oldValue,
      newValue: change.value,
    });
  }
  return entries;
}

/** A value at an instant; `updatedAt` is null for a value written before the log began. */
export type ValueAsOf = Omit<CustomFieldValue, 'updatedAt'> & { updatedAt: string | null };

/**
 * A call's values at an instant, from its values now and its records (any
 * order): a field's latest record at or before the instant gives its value
 * and who wrote it when; a field with no such record but a later one had the
 * later one's old value (written before the log began, so when is unknown);
 * a field with no record at all has its value now. Only fields defined and
 * enabled now are answered, as in every read of a call.
 */
export function valuesAsOf(
  now: readonly { fieldId: string; value: string; updatedAt: string; updatedBy: string | null }[],
  records: readonly ChangeRecord[],
  at: string,
  fields: readonly CustomFieldDefinition[],
): ValueAsOf[] {
  const state = new Map<string, { value: string | null; updatedAt: string | null; updatedBy: string | null }>(
    now.map((v) => [v.fieldId, { value: v.value, updatedAt: v.updatedAt, updatedBy: v.updatedBy }]),
  );
  const instant = Date.parse(at);
  const logged = new Set<string>();
  for (const record of [...records].sort((a, b) => a.sequence - b.sequence)) {
    if (Date.parse(record.committedAt) <= instant) {
      state.set(record.fieldId, { value: record.newValue, updatedAt: record.committedAt, updatedBy: record.actor?.username ?? null });
    } else if (!logged.has(record.fieldId)) {
      state.set(record.fieldId, { value: record.oldValue, updatedAt: null, updatedBy: null });
    }
    logged.add(record.fieldId);
  }
  const result: ValueAsOf[] = [];
  for (const field of fields) {
    const value = state.get(field.fieldId);
    if (!field.enabled || !value || value.value === null) continue;
    const definition: ValueRule = { type: field.type, options: field.options, maxLength: field.maxLength };
    result.push({ fieldId: field.fieldId, name: field.name, value: value.value, updatedAt: value.updatedAt, updatedBy: value.updatedBy, definition });
  }
  return result.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.fieldId < b.fieldId ? -1 : 1));
}

/** A record in the vendor's style (snake_case), as REST answers it and the CLI prints it. */
export interface VendorChange {
  sequence: number;
  change_set_id: string;
  call_id: string;
  field_id: string;
  field_name: string;
  kind: ChangeKind;
  old_value: string | null;
  new_value: string | null;
  call_version: number;
  actor: { type: 'api_user' | 'cli'; user_id: string | null; username: string; token_id: string | null };
  channel: ChangeChannel;
  request_id: string | null;
  client_address: string | null;
  committed_at: string;
}

/** The vendor-style record (the client's address as read: GraphQL already withholds it from readers who are not admins). */
export function vendorChange(record: ChangeRecord): VendorChange {
  const { actor } = record;
  return {
    sequence: record.sequence,
    change_set_id: record.changeSetId,
    call_id: record.callId,
    field_id: record.fieldId,
    field_name: record.fieldName,
    kind: record.kind,
    old_value: record.oldValue,
    new_value: record.newValue,
    call_version: record.callVersion,
    actor: actor
      ? { type: 'api_user', user_id: actor.userId, username: actor.username, token_id: actor.tokenId }
      : { type: 'cli', user_id: null, username: CLI_ACTOR, token_id: null },
    channel: record.channel,
    request_id: record.requestId,
    client_address: record.clientAddress,
    committed_at: record.committedAt,
  };
}

/** A record's cursor: its sequence number in decimal, the same in GraphQL, REST (`after=`) and the CLI. */
export const sequenceCursor = (sequence: number): string => String(sequence);

/** Reads a cursor sequenceCursor wrote (0 is the start of the log); null for anything else. */
export function decodeSequenceCursor(text: string): number | null {
  if (!/^(0|[1-9]\d{0,15})$/.test(text)) return null;
  const sequence = Number(text);
  return Number.isSafeInteger(sequence) ? sequence : null;
}

/**
 * A call's version at an instant, from its records: the version after the
 * latest change at or before it; before its first recorded change, the one
 * before that change's; with no record after it, the version now.
 */
export function versionAsOf(versionNow: number, records: readonly ChangeRecord[], at: string): number {
  const instant = Date.parse(at);
  let earlier: ChangeRecord | undefined;
  let later: ChangeRecord | undefined;
  for (const record of records) {
    if (Date.parse(record.committedAt) <= instant) {
      if (!earlier || record.sequence > earlier.sequence) earlier = record;
    } else if (!later || record.sequence < later.sequence) later = record;
  }
  if (!later) return versionNow;
  if (earlier) return earlier.callVersion;
  return Math.max(1, later.callVersion - 1);
}
