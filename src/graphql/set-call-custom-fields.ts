import { checkEntryCount, decideChangeSet, MAX_ENTRIES, type FieldEntry } from '../core/change-set.js';
import { graphqlPath, type EntryLocation } from '../core/entry-location.js';
import { can, FORBIDDEN_MESSAGE } from '../core/permissions.js';
import { builder } from './builder.js';
import { CallRef, normalizeCallId } from './call.js';
import { callSource } from './call-source.js';
import { changeOrigin } from './context.js';
import { ConflictError, ForbiddenError, InvalidRecordError, NotFoundError, type ValidationDetail } from './errors.js';

export const CustomFieldValueInput = builder.inputType('CustomFieldValueInput', {
  description:
    'One custom field to set. Refer to the field by `fieldId` or `name`; when both are given the id wins and ' +
    'the name is ignored. `value: null` or `""` clears the value; leaving `value` out is an error. A MULTISELECT ' +
    'field takes `values` instead (`null` or `[]` clears).',
  fields: (t) => ({
    fieldId: t.id({ description: 'The field UUID.' }),
    name: t.string({ description: 'The exact field name.' }),
    value: t.string({ description: 'The new value, in the format of the field\'s type (see CustomFieldType); null or "" clears.' }),
    values: t.stringList({ description: 'The chosen options of a MULTISELECT field, instead of `value`.' }),
  }),
});

/** A detail at a place in the entry list: its path, and the entry's index, field reference as sent and attribute. */
export function entryDetail(location: EntryLocation, message: string, entries: readonly FieldEntry[]): ValidationDetail {
  const path = graphqlPath(location);
  if ('list' in location) return { path, message, entryIndex: null, fieldId: null, fieldName: null, attribute: null };
  const entry = entries[location.index];
  return { path, message, entryIndex: location.index, fieldId: entry?.fieldId ?? null, fieldName: entry?.name ?? null, attribute: location.attribute };
}

builder.mutationField('setCallCustomFields', (t) =>
  t.field({
    type: CallRef,
    description:
      'Sets or clears custom field values of one call, as the REST `PUT /api/v2/calls/{call_id}.json`: ' +
      'only the listed fields change, and any invalid entry rejects the whole request. At most ' +
      `${MAX_ENTRIES} entries: a longer list is one InvalidRecordError detail at \`customFields\`.`,
    errors: {
      types: [InvalidRecordError, NotFoundError, ForbiddenError, ConflictError],
      union: {
        name: 'SetCallCustomFieldsResult',
        description:
          'SetCallCustomFieldsSuccess when the values were written; ForbiddenError when the role cannot edit calls; ' +
          'NotFoundError when the tenant has no such call; InvalidRecordError when an entry is refused (every problem listed, ' +
          'nothing written); ConflictError (VERSION_MISMATCH) only with `expectedVersion`, when the call has changed.',
      },
      result: { name: 'SetCallCustomFieldsSuccess', description: 'The values were written.' },
      dataField: { name: 'call', description: 'The call as it is now.' },
    },
    args: {
      callId: t.arg.id({ required: true, description: 'The call UUID (the REST `call_id`).' }),
      customFields: t.arg({ type: [CustomFieldValueInput], required: true, description: 'The fields to set or clear.' }),
      expectedVersion: t.arg({
        type: 'SafeInt',
        description: 'Optimistic concurrency: apply only if the call is still at this version, else a ConflictError (VERSION_MISMATCH) and nothing is written.',
      }),
    },
    resolve: async (_root, args, context) => {
      const { store, viewer, clock } = context;
      if (!can(viewer.role, 'edit_calls')) throw new ForbiddenError(FORBIDDEN_MESSAGE);
      const callId = normalizeCallId(String(args.callId));
      if (!callId) throw new NotFoundError('Call not found');
      const tooMany = checkEntryCount(args.customFields.length);
      if (tooMany) throw new InvalidRecordError([entryDetail(tooMany.location, tooMany.message, [])]);
      const entries: FieldEntry[] = args.customFields.map((entry) => ({
        fieldId: entry.fieldId == null ? entry.fieldId : String(entry.fieldId),
        name: entry.name,
        value: entry.value,
        values: entry.values,
      }));
      const outcome = await store.setCallCustomFields({
        tenantId: viewer.tenantId,
        callId,
        userId: viewer.userId,
        now: clock().toISOString(),
        origin: changeOrigin(context),
        expectedVersion: args.expectedVersion ?? undefined,
        decide: (fields) => decideChangeSet(entries, fields),
      });
      switch (outcome.kind) {
        case 'not_found':
          throw new NotFoundError('Call not found');
        case 'invalid':
          throw new InvalidRecordError(outcome.problems.map((p) => entryDetail(p, p.message, entries)));
        case 'version_conflict':
          throw new ConflictError(
            `Call has changed: its version is ${outcome.currentVersion}, not ${args.expectedVersion}; nothing was written`,
            'version_mismatch',
          );
        case 'updated':
          return callSource(outcome);
      }
    },
  }),
);
