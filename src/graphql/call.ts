import { UUID } from '../core/call.js';
import { isStoredValueValid, parseOptionList, type CustomFieldValue } from '../core/custom-field.js';
import type { CallWithValues } from '../store/call-store.js';
import { builder } from './builder.js';

export const CallDirectionEnum = builder.enumType('CallDirection', {
  values: {
    INBOUND: { value: 'inbound' },
    OUTBOUND: { value: 'outbound' },
    UNKNOWN: { value: 'unknown' },
  } as const,
});

const CustomFieldValueRef = builder.objectRef<CustomFieldValue>('CustomFieldValue').implement({
  description: 'A value stored on a call for one custom field.',
  fields: (t) => ({
    fieldId: t.exposeID('fieldId'),
    name: t.exposeString('name'),
    value: t.exposeString('value', { description: 'The stored text; for a MULTISELECT field the JSON array of the chosen options.' }),
    values: t.stringList({
      nullable: true,
      description: 'The chosen options of a MULTISELECT field, in the order of its options; null for other types.',
      resolve: ({ definition, value }) => (definition.type === 'multiselect' ? parseOptionList(value) : null),
    }),
    valid: t.boolean({
      description:
        'False when the field\'s definition was tightened (with `force`) after this value was written and the value no ' +
        'longer satisfies it. The value stays stored until it is rewritten.',
      resolve: ({ definition, value }) => isStoredValueValid(definition, value),
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    updatedBy: t.exposeString('updatedBy', { nullable: true, description: 'The API user who wrote it; null for imported values.' }),
  }),
});

export const CallRef = builder.objectRef<CallWithValues>('Call').implement({
  description: 'A call record.',
  fields: (t) => ({
    id: t.id({ description: 'The call UUID (the REST `call_id`).', resolve: ({ call }) => call.callId }),
    setupTime: t.field({ type: 'DateTime', resolve: ({ call }) => call.setupTime }),
    fromNumber: t.string({ resolve: ({ call }) => call.fromNumber }),
    toNumber: t.string({ resolve: ({ call }) => call.toNumber }),
    direction: t.field({ type: CallDirectionEnum, resolve: ({ call }) => call.direction }),
    duration: t.int({ description: 'Seconds.', resolve: ({ call }) => call.duration }),
    version: t.int({ description: 'Bumped by one on every successful change.', resolve: ({ call }) => call.version }),
    customFields: t.field({
      type: [CustomFieldValueRef],
      description: 'The values this call has, ordered by field name.',
      resolve: ({ customFields }) => customFields,
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
    description: 'One call of the viewer\'s tenant by its UUID, or null.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, { store, viewer }) => {
      const callId = normalizeCallId(String(id));
      return callId ? store.getCall(viewer.tenantId, callId) : null;
    },
  }),
);
