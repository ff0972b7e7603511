import { randomUUID } from 'node:crypto';
import { setTimeout as yieldTurn } from 'node:timers/promises';
import { batchesOf, BULK_MESSAGES, DEFAULT_BULK_EDIT_LIMIT, PREVIEW_SIZE } from '../core/bulk-edit.js';
import { decideCallFilter, type CallFilterInput } from '../core/call-filter.js';
import type { ChangeOrigin } from '../core/change-log.js';
import { checkEntryCount, decideChangeSet, type EntryProblem, type FieldEntry } from '../core/change-set.js';
import { can, FORBIDDEN_MESSAGE } from '../core/permissions.js';
import type { BulkEditedCall, CallStore } from '../store/call-store.js';
import { builder } from './builder.js';
import { normalizeCallId } from './call.js';
import { CallFilterInputRef } from './call-list.js';
import { changeOrigin } from './context.js';
import { ConflictError, ForbiddenError, InvalidRecordError, type ValidationDetail } from './errors.js';
import { CustomFieldValueInput, entryDetail } from './set-call-custom-fields.js';

export type BulkTarget = { callIds: readonly string[] } | { filter: CallFilterInput };

export interface BulkEditRequest {
  store: CallStore;
  tenantId: string;
  /** The API user editing; null for the operator's CLI. */
  userId: string | null;
  target: BulkTarget;
  entries: FieldEntry[];
  dryRun: boolean;
  expectedCount: number | null;
  limit: number;
  /** Who edits (the channel is made `bulk` and the requestId the operation id). */
  origin: ChangeOrigin;
  now: string;
  onProgress?: (done: number, total: number) => void;
}

export interface PreviewValue {
  fieldId: string;
  name: string;
  before: string | null;
  after: string | null;
}

export interface BulkPreviewCall {
  callId: string;
  changed: boolean;
  values: PreviewValue[];
}

export type BulkEditOutcome =
  | { kind: 'done'; operationId: string; dryRun: boolean; matched: number; changed: number; unchanged: number; preview: BulkPreviewCall[] }
  | { kind: 'invalid'; details: ValidationDetail[] }
  | { kind: 'count_mismatch'; matched: number; message: string };

const problemDetails = (problems: readonly EntryProblem[], entries: readonly FieldEntry[]) =>
  problems.map((p) => entryDetail(p, p.message, entries));

/** The matched call ids of the tenant, at most `limit + 1` (one more tells the limit is passed). */
async function matchedCalls(request: BulkEditRequest): Promise<{ ok: true; callIds: string[] } | { ok: false; details: ValidationDetail[] }> {
  const { store, tenantId, target, limit } = request;
  if ('callIds' in target) {
    const ids = [...new Set(target.callIds.map((id) => normalizeCallId(id)).filter((id): id is string => id !== null))];
    return { ok: true, callIds: ids.slice(0, limit + 1) };
  }
  const fields = target.filter.customFields?.length ? await store.listCustomFields(tenantId, { includeDisabled: true }) : [];
  const decision = decideCallFilter(target.filter, fields);
  if (!decision.ok) return { ok: false, details: decision.problems.map((p) => ({ path: `target.filter.${p.path}`, message: p.message })) };
  const page = await store.listCalls({
    tenantId,
    filter: decision.filter,
    order: { field: 'setup_time', direction: 'asc' },
    window: { after: null, before: null, offset: 0, take: limit + 1, fromEnd: false },
    withTotal: false,
  });
  return { ok: true, callIds: page.calls.map((call) => call.callId) };
}

/**
 * A bulk edit: the change set checked once (setCallCustomFields' rules,
 * messages and paths), the target resolved in the tenant, then applied in
 * batches, each one transaction, yielding to other requests between them.
 * Ids of calls the tenant does not have are not matched.
 */
export async function runBulkEdit(request: BulkEditRequest): Promise<BulkEditOutcome> {
  const { store, tenantId, entries } = request;
  const tooMany = checkEntryCount(entries.length);
  if (tooMany) return { kind: 'invalid', details: [entryDetail(tooMany.location, tooMany.message, [])] };
  const fields = await store.listCustomFields(tenantId, { includeDisabled: true });
  const checked = decideChangeSet(entries, fields);
  if (!checked.ok) return { kind: 'invalid', details: problemDetails(checked.problems, entries) };

  const target = await matchedCalls(request);
  if (!target.ok) return { kind: 'invalid', details: target.details };
  if (target.callIds.length > request.limit) {
    return { kind: 'invalid', details: [{ path: 'target', message: BULK_MESSAGES.tooManyCalls(target.callIds.length, request.limit) }] };
  }
  const operationId = randomUUID();
  const origin: ChangeOrigin = { ...request.origin, channel: 'bulk', requestId: operationId };
  const names = new Map(fields.map((f) => [f.fieldId, f.name]));
  const batch = (callIds: string[], dryRun: boolean) =>
    store.applyBulkEditBatch({ tenantId, callIds, userId: request.userId, now: request.now, origin, dryRun, decide: (current) => decideChangeSet(entries, current) });
  // A dry run, or an edit that must match expectedCount, reads every target first (ids of other tenants' calls are not found).
  const edited: BulkEditedCall[] = [];
  if (request.dryRun || request.expectedCount !== null) {
    for (const callIds of batchesOf(target.callIds)) {
      const outcome = await batch(callIds, true);
      if (outcome.kind === 'invalid') return { kind: 'invalid', details: problemDetails(outcome.problems, entries) };
      edited.push(...outcome.calls);
    }
    if (request.expectedCount !== null && edited.length !== request.expectedCount) {
      return { kind: 'count_mismatch', matched: edited.length, message: BULK_MESSAGES.countMismatch(edited.length, request.expectedCount) };
    }
  }
  const preview = (calls: BulkEditedCall[]) =>
    calls.slice(0, PREVIEW_SIZE).map((call) => ({
      callId: call.callId,
      changed: call.changed,
      values: [...new Set([...call.before.keys(), ...call.after.keys()])]
        .filter((fieldId) => names.has(fieldId))
        .map((fieldId) => ({ fieldId, name: names.get(fieldId)!, before: call.before.get(fieldId) ?? null, after: call.after.get(fieldId) ?? null })),
    }));
  if (request.dryRun) {
    const changed = edited.filter((call) => call.changed).length;
    return { kind: 'done', operationId, dryRun: true, matched: edited.length, changed, unchanged: edited.length - changed, preview: preview(edited) };
  }

  const written: BulkEditedCall[] = [];
  for (const callIds of batchesOf(target.callIds)) {
    const outcome = await batch(callIds, false);
    // Only when a definition changed between batches: the batches before stay written, as after a crash.
    if (outcome.kind === 'invalid') return { kind: 'invalid', details: problemDetails(outcome.problems, entries) };
    written.push(...outcome.calls);
    request.onProgress?.(written.length, target.callIds.length);
    await yieldTurn(0);
  }
  const changed = written.filter((call) => call.changed).length;
  return { kind: 'done', operationId, dryRun: false, matched: written.length, changed, unchanged: written.length - changed, preview: [] };
}

const BulkTargetInput = builder.inputType('BulkEditTarget', {
  description: 'The calls a bulk edit applies to: exactly one of `callIds` or `filter` (@oneOf).',
  isOneOf: true,
  fields: (t) => ({
    callIds: t.idList({ description: 'These calls of the viewer\'s tenant (ids of other calls match nothing).' }),
    filter: t.field({ type: CallFilterInputRef, description: 'Every call of the viewer\'s tenant the filter matches.' }),
  }),
});

const PreviewValueRef = builder.objectRef<PreviewValue>('BulkEditPreviewValue').implement({
  description: 'One field of a previewed call: its value before and after the edit (null: no value).',
  fields: (t) => ({
    fieldId: t.exposeID('fieldId', { description: 'The field UUID.' }),
    name: t.exposeString('name', { description: 'The field\'s name.' }),
    before: t.exposeString('before', { nullable: true, description: 'The stored value now.' }),
    after: t.exposeString('after', { nullable: true, description: 'The value after the edit.' }),
  }),
});

const PreviewCallRef = builder.objectRef<BulkPreviewCall>('BulkEditPreviewCall').implement({
  description: 'A call of a dry run with its values before and after.',
  fields: (t) => ({
    callId: t.exposeID('callId', { description: 'The call UUID.' }),
    changed: t.exposeBoolean('changed', { description: 'Whether the edit changes a value of this call.' }),
    values: t.field({ type: [PreviewValueRef], description: 'The call\'s values, by field.', resolve: (c) => c.values }),
  }),
});

type BulkEditDone = Extract<BulkEditOutcome, { kind: 'done' }>;

const BulkEditResultRef = builder.objectRef<BulkEditDone>('SetCustomFieldsOnCallsSuccess').implement({
  description: 'The edit was applied, or previewed with `dryRun`: what it matched and changed (or would).',
  fields: (t) => ({
    operationId: t.exposeID('operationId', { description: 'The edit\'s id: the `requestId` of its change history records (channel BULK).' }),
    dryRun: t.exposeBoolean('dryRun', { description: 'True when nothing was written.' }),
    matched: t.exposeInt('matched', { description: 'Calls of the tenant the target matched.' }),
    changed: t.exposeInt('changed', { description: 'Matched calls whose values changed (or would change).' }),
    unchanged: t.exposeInt('unchanged', { description: 'Matched calls that already held the values: not written, no history.' }),
    preview: t.field({
      type: [PreviewCallRef],
      description: `Dry run only: the first ${PREVIEW_SIZE} matched calls with their values before and after; empty otherwise.`,
      resolve: (r) => r.preview,
    }),
  }),
});

builder.mutationField('setCustomFieldsOnCalls', (t) =>
  t.field({
    type: BulkEditResultRef,
    description:
      'Sets or clears custom field values of many calls of the viewer\'s tenant: the change set is checked once with the rules, ' +
      'messages and paths of `setCallCustomFields` (any invalid entry: nothing written), then applied in batches of a few hundred ' +
      `calls, each one transaction. At most ${DEFAULT_BULK_EDIT_LIMIT} calls by default (server setting BULK_EDIT_MAX_CALLS). ` +
      'If the request fails between batches, the batches already applied stay applied and whole: send the same edit again to finish ' +
      '(calls already holding the values are not written again).',
    errors: {
      types: [InvalidRecordError, ForbiddenError, ConflictError],
      directResult: true,
      union: {
        name: 'SetCustomFieldsOnCallsResult',
        description:
          'SetCustomFieldsOnCallsSuccess when applied (or previewed); ForbiddenError when the role cannot edit calls; InvalidRecordError ' +
          'when an entry or the filter is refused or the target passes the limit (nothing written); ConflictError (COUNT_MISMATCH) ' +
          'when `expectedCount` differs from the calls matched (nothing written).',
      },
    },
    args: {
      target: t.arg({ type: BulkTargetInput, required: true, description: 'The calls to edit: ids or a filter.' }),
      customFields: t.arg({ type: [CustomFieldValueInput], required: true, description: 'The fields to set or clear, as for setCallCustomFields.' }),
      dryRun: t.arg.boolean({ description: `Write nothing; answer the counts and the first ${PREVIEW_SIZE} calls with values before and after.` }),
      expectedCount: t.arg.int({ description: 'Apply only if the target matches exactly this many calls, else a ConflictError and nothing is written.' }),
    },
    resolve: async (_root, args, context) => {
      const { store, viewer, clock } = context;
      if (!can(viewer.role, 'edit_calls')) throw new ForbiddenError(FORBIDDEN_MESSAGE);
      const entries: FieldEntry[] = args.customFields.map((entry) => ({
        fieldId: entry.fieldId == null ? entry.fieldId : String(entry.fieldId),
        name: entry.name,
        value: entry.value,
        values: entry.values,
      }));
      const filter = args.target.filter;
      const target: BulkTarget = args.target.callIds
        ? { callIds: args.target.callIds.map(String) }
        : {
            filter: {
              ...filter,
              customFields: filter?.customFields?.map((entry) => ({ ...entry, fieldId: entry.fieldId == null ? entry.fieldId : String(entry.fieldId) })),
            },
          };
      const outcome = await runBulkEdit({
        store,
        tenantId: viewer.tenantId,
        userId: viewer.userId,
        target,
        entries,
        dryRun: args.dryRun ?? false,
        expectedCount: args.expectedCount ?? null,
        limit: context.bulkEditLimit ?? DEFAULT_BULK_EDIT_LIMIT,
        origin: changeOrigin(context),
        now: clock().toISOString(),
      });
      switch (outcome.kind) {
        case 'invalid':
          throw new InvalidRecordError(outcome.details);
        case 'count_mismatch':
          throw new ConflictError(outcome.message, 'count_mismatch');
        case 'done':
          return outcome;
      }
    },
  }),
);

