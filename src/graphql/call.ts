import { UUID } from '../core/call.js';
import { findFieldToRead, valuesToShow, type CallFieldValue } from '../core/call-values.js';
import { isStoredValueValid, parseOptionList } from '../core/custom-field.js';
import { builder } from './builder.js';
import { callAsOf } from './call-as-of.js';
import { callSource, type CallSource } from './call-source.js';
import { CustomFieldRef } from './custom-field.js';
import { assertCanView, badUserInput } from './errors.js';
import { NodeRef } from './node.js';

export const CallDirectionEnum = builder.enumType('CallDirection', {
  description: 'Which way a call went, as the call record states it.',
  values: {
    INBOUND: { value: 'inbound', description: 'Received by the tenant.' },
    OUTBOUND: { value: 'outbound', description: 'Placed by the tenant.' },
    UNKNOWN: { value: 'unknown', description: 'The record does not say.' },
  } as const,
});

const CustomFieldValueRef = builder.objectRef<CallFieldValue>('CustomFieldValue').implement({
  description: 'A custom field of a call and its value.',
  fields: (t) => ({
    fieldId: t.exposeID('fieldId', { description: 'The field UUID.' }),
    name: t.exposeString('name', { description: 'The field\'s current name.' }),
    value: t.exposeString('value', {
      nullable: true,
      description:
        'The stored text; for a MULTISELECT field the JSON array of the chosen options. Null only in ' +
        '`customFields(includeEmpty: true)`, for a field the call has no value for.',
    }),
    values: t.stringList({
      nullable: true,
      description: 'The chosen options of a MULTISELECT field, in the order of its options; null for other types and where `value` is null.',
      resolve: ({ definition, value }) => (definition.type === 'multiselect' && value !== null ? parseOptionList(value) : null),
    }),
    valid: t.boolean({
      description:
        'False when the field\'s definition was tightened (with `force`) after this value was written and the value no ' +
        'longer satisfies it. The value stays stored until it is rewritten. True where `value` is null.',
      resolve: ({ definition, value }) => value === null || isStoredValueValid(definition, value),
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', nullable: true, description: 'Null where `value` is null.' }),
    updatedBy: t.exposeString('updatedBy', { nullable: true, description: 'The API user who wrote it; null for imported values.' }),
    field: t.field({
      type: CustomFieldRef,
      description: 'The field definition (type, options, maxLength, editable), for rendering a form.',
      resolve: async (value, _args, { customFieldDefinitions }) => {
        const field = (await customFieldDefinitions()).find((f) => f.fieldId === value.fieldId);
        if (!field) throw new Error(`custom field ${value.fieldId} has a value but no definition`);
        return field;
      },
    }),
  }),
});

export const CallRef = builder.objectRef<CallSource>('Call').implement({
  description: 'A call record.',
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.id({ description: 'The call UUID (the REST `call_id`).', resolve: ({ call }) => call.callId }),
    setupTime: t.field({ type: 'DateTime', description: 'When the call was set up.', resolve: ({ call }) => call.setupTime }),
    fromNumber: t.string({ description: 'The calling number, as recorded.', resolve: ({ call }) => call.fromNumber }),
    toNumber: t.string({ description: 'The called number, as recorded.', resolve: ({ call }) => call.toNumber }),
    direction: t.field({ type: CallDirectionEnum, description: 'Which way the call went.', resolve: ({ call }) => call.direction }),
    duration: t.int({ description: 'Seconds.', resolve: ({ call }) => call.duration }),
    version: t.field({
      type: 'SafeInt',
      description: 'Starts at 1 and is bumped by one on every successful change; pass it as `expectedVersion` to write only over this state.',
      resolve: ({ call }) => call.version,
    }),
    customFields: t.field({
      type: [CustomFieldValueRef],
      description:
        'The values this call has, ordered by field name. With `includeEmpty`, every enabled field of the tenant, ' +
        'with `value: null` where the call has none.',
      args: { includeEmpty: t.arg.boolean({ defaultValue: false, description: 'Also list enabled fields the call has no value for.' }) },
      resolve: async (source, { includeEmpty }, { customFieldDefinitions }) => {
        const values = await source.values();
        return includeEmpty ? valuesToShow(values, await customFieldDefinitions(), true) : values;
      },
    }),
    customField: t.field({
      type: CustomFieldValueRef,
      nullable: true,
      description:
        'The value of one enabled field, by `fieldId` or exact `name` (the id wins when both are given); null when ' +
        'the call has no value for it. An unknown or disabled field is an error.',
      args: { fieldId: t.arg.id({ description: 'The field UUID.' }), name: t.arg.string({ description: 'The exact field name.' }) },
      resolve: async (source, args, { customFieldDefinitions }) => {
        const ref = { fieldId: args.fieldId == null ? args.fieldId : String(args.fieldId), name: args.name };
        const lookup = findFieldToRead(ref, await customFieldDefinitions());
        if (!lookup.ok) throw badUserInput(`customField${lookup.attribute ? `(${lookup.attribute})` : ''}: ${lookup.message}`);
        return (await source.values()).find((v) => v.fieldId === lookup.field.fieldId) ?? null;
      },
    }),
  }),
});

/** Call ids are UUIDs compared in lower case; anything else names no call. */
export function normalizeCallId(id: string): string | null {
  return UUID.test(id) ? id.toLowerCase() : null;
}

builder.queryField('call', (t) =>
  t.field({
    type: CallRef,
    nullable: true,
    description:
      'One call of the viewer\'s tenant by its UUID, or null. With `asOf`, its custom field values (and `version`) as they ' +
      'were at that instant, from the change log: exact for any instant after the call was imported; fields deleted ' +
      'or disabled since are left out, and a value written before the log began has a null `updatedAt`.',
    args: {
      id: t.arg.id({ required: true, description: 'The call UUID (the REST `call_id`).' }),
      asOf: t.arg({ type: 'DateTime', description: 'An instant in the past: answer the values as they were then.' }),
    },
    resolve: async (_root, { id, asOf }, context) => {
      const { store, viewer } = context;
      assertCanView(viewer);
      const callId = normalizeCallId(String(id));
      if (!callId) return null;
      if (asOf) return callAsOf(context, callId, asOf);
      const found = await store.getCall(viewer.tenantId, callId);
      return found ? callSource(found) : null;
    },
  }),
);
