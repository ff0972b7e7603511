import { UUID } from '../core/call.js';
import type { CustomFieldDefinition } from '../core/custom-field.js';
import { builder } from './builder.js';
import type { CallSource } from './call-source.js';
import { callSource } from './call-source.js';
import { assertCanView } from './errors.js';

type NodeType = 'Call' | 'CustomField';
export type NodeSource = CallSource | CustomFieldDefinition;

/** The Relay global id: base64 of "Type:uuid". */
export function toGlobalId(type: NodeType, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64');
}

/** The type and UUID a global id names, or null when it is not one this schema wrote. */
export function fromGlobalId(globalId: string): { type: NodeType; id: string } | null {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const match = /^(Call|CustomField):(.+)$/.exec(decoded);
  if (!match || !UUID.test(match[2]!) || toGlobalId(match[1] as NodeType, match[2]!) !== globalId) return null;
  return { type: match[1] as NodeType, id: match[2]!.toLowerCase() };
}

const isCall = (source: NodeSource): source is CallSource => 'call' in source;

export const NodeRef = builder.interfaceRef<NodeSource>('Node').implement({
  description:
    'An object Relay clients can refetch with `node(id:)` by its `id` (Global Object Identification). Call and ' +
    'field ids are UUIDs, unique across both kinds within a tenant, so `id` is both the REST id and the global id.',
  resolveType: (source) => (isCall(source) ? 'Call' : 'CustomField'),
  fields: (t) => ({
    id: t.id({
      description: 'The global id: the call or field UUID; pass it to `node(id:)`.',
      resolve: (source) => (isCall(source) ? source.call.callId : source.fieldId),
    }),
    nodeId: t.id({
      description: 'The former Relay global id (base64 of "Type:uuid"); `node(id:)` still accepts it.',
      deprecationReason: 'Use id: it is the global id now, and node(id:) takes it.',
      resolve: (source) => (isCall(source) ? toGlobalId('Call', source.call.callId) : toGlobalId('CustomField', source.fieldId)),
    }),
  }),
});

builder.queryField('node', (t) =>
  t.field({
    type: NodeRef,
    nullable: true,
    description:
      'The call or custom field of the viewer\'s tenant with this `id` (its UUID; the deprecated `nodeId` works too), or null.',
    args: { id: t.arg.id({ required: true, description: 'A call or field UUID (the global id), or a deprecated `nodeId`.' }) },
    resolve: async (_root, args, { store, viewer, customFieldDefinitions }) => {
      assertCanView(viewer);
      const text = String(args.id);
      const ref = fromGlobalId(text) ?? (UUID.test(text) ? { type: null, id: text.toLowerCase() } : null);
      if (!ref) return null;
      if (ref.type !== 'CustomField') {
        const found = await store.getCall(viewer.tenantId, ref.id);
        if (found || ref.type === 'Call') return found ? callSource(found) : null;
      }
      return (await customFieldDefinitions()).find((field) => field.fieldId === ref.id) ?? null;
    },
  }),
);
