import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { decideCallFilter, NO_FILTER, type CallFilterInput } from '../core/call-filter.js';
import { cursorOf, decideCallWindow, DEFAULT_CALL_ORDER, pageInfoOf, type CallOrder, type PageInfo } from '../core/call-list.js';
import { builder } from './builder.js';
import { CallDirectionEnum, CallRef } from './call.js';
import { pageCallSources, type CallSource } from './call-source.js';
import { assertCanView, badUserInput } from './errors.js';

const CallOrderFieldEnum = builder.enumType('CallOrderField', {
  description: 'The sort key of a list of calls.',
  values: {
    SETUP_TIME: { value: 'setup_time', description: 'When the call was set up.' },
    DURATION: { value: 'duration', description: 'How long the call lasted.' },
  } as const,
});

const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'The direction of a sort.',
  values: {
    ASC: { value: 'asc', description: 'Smallest (earliest, shortest) first.' },
    DESC: { value: 'desc', description: 'Largest (latest, longest) first.' },
  } as const,
});

const CallOrderInput = builder.inputType('CallOrder', {
  description: 'How calls are sorted; calls with the same sort key are ordered by call id, in the same direction.',
  fields: (t) => ({
    field: t.field({ type: CallOrderFieldEnum, defaultValue: 'setup_time', description: 'The sort key.' }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'desc', description: 'Newest or longest first by default.' }),
  }),
});

const CustomFieldConditionInput = builder.inputType('CustomFieldCondition', {
  description: 'What a custom field\'s value must be: exactly one of `equals`, `in` or `isSet` (@oneOf).',
  isOneOf: true,
  fields: (t) => ({
    equals: t.string({ description: 'The value is exactly this.' }),
    in: t.stringList({ description: 'The value is one of these (at most 1000).' }),
    isSet: t.boolean({ description: 'true: the call has a value for the field; false: it has none.' }),
  }),
});

const BESIDE_REFERENCE = 'Give the condition in `is`; the older form beside the reference is accepted for one more release.';

const CustomFieldFilterInput = builder.inputType('CustomFieldFilter', {
  description:
    'A condition on one enabled custom field, named by `fieldId` or exact `name` (the id wins when both are given), ' +
    'with the condition in `is`. An unknown or disabled field is an error.',
  fields: (t) => ({
    fieldId: t.id({ description: 'The field UUID.' }),
    name: t.string({ description: 'The exact field name.' }),
    is: t.field({ type: CustomFieldConditionInput, description: 'The condition on the value, e.g. `{ in: ["Unpaid", "Unknown"] }`.' }),
    equals: t.string({ description: 'The value is exactly this (as `is: { equals }`).', deprecationReason: BESIDE_REFERENCE }),
    in: t.stringList({ description: 'The value is one of these, at most 1000 (as `is: { in }`).', deprecationReason: BESIDE_REFERENCE }),
    isSet: t.boolean({ description: 'Whether the call has a value for the field (as `is: { isSet }`).', deprecationReason: BESIDE_REFERENCE }),
  }),
});

export const CallFilterInputRef = builder.inputType('CallFilter', {
  description: 'Calls matching every given condition.',
  fields: (t) => ({
    setupTimeFrom: t.field({ type: 'DateTime', description: 'Set up at or after this instant.' }),
    setupTimeTo: t.field({ type: 'DateTime', description: 'Set up at or before this instant.' }),
    direction: t.field({ type: CallDirectionEnum, description: 'The call has this direction.' }),
    number: t.string({ description: 'The from or the to number starts with this, exactly (e.g. "+4930").' }),
    customFields: t.field({ type: [CustomFieldFilterInput], description: 'At most 20, all of which must hold.' }),
  }),
});

export interface PageInfoSource extends PageInfo {
  startCursor: string | null;
  endCursor: string | null;
}

interface CallConnectionSource {
  edges: { cursor: string; node: CallSource }[];
  pageInfo: PageInfoSource;
  totalCount: () => Promise<number>;
}

export const PageInfoRef = builder.objectRef<PageInfoSource>('PageInfo').implement({
  description: 'Relay page information of a connection (calls, API users, API tokens).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether more edges follow `endCursor`.' }),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage', { description: 'Whether more edges precede `startCursor`.' }),
    startCursor: t.exposeString('startCursor', { nullable: true, description: 'The cursor of the first edge; null on an empty page.' }),
    endCursor: t.exposeString('endCursor', { nullable: true, description: 'The cursor of the last edge; null on an empty page.' }),
  }),
});

const CallEdgeRef = builder.objectRef<CallConnectionSource['edges'][number]>('CallEdge').implement({
  description: 'One call on a page, with its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'Opaque; stays valid when calls are added.' }),
    node: t.field({ type: CallRef, description: 'The call.', resolve: (edge) => edge.node }),
  }),
});

const CallConnectionRef = builder.objectRef<CallConnectionSource>('CallConnection').implement({
  description: 'A page of calls.',
  fields: (t) => ({
    edges: t.field({ type: [CallEdgeRef], description: 'The calls on this page, in sort order.', resolve: (connection) => connection.edges }),
    pageInfo: t.field({ type: PageInfoRef, description: 'Where this page lies.', resolve: (connection) => connection.pageInfo }),
    totalCount: t.int({ description: 'How many calls match the filter, on all pages.', resolve: (connection) => connection.totalCount() }),
  }),
});

/**
 * Whether the query selects `name` directly on this field (through fragments
 * too, minus what @skip or @include leave out), so the page can count in the
 * same statement and skip counting when nobody asked.
 */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  const included = (node: SelectionNode) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;
  const visit = (set: SelectionSetNode | undefined): boolean =>
    set?.selections.some((selection) => {
      if (!included(selection)) return false;
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      return visit(info.fragments[selection.name.value]?.selectionSet);
    }) ?? false;
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

builder.queryField('calls', (t) =>
  t.field({
    type: CallConnectionRef,
    nullable: true,
    description:
      'The viewer\'s tenant\'s calls, a page at a time (Relay cursor pagination, keyset on the sort key and call id: ' +
      'cursors stay valid when calls are added). `first` and `last` default to 20 and may be at most 1000. ' +
      'Null, with a BAD_USER_INPUT error at this path, when an argument is refused; the rest of the document still answers.',
    args: {
      first: t.arg.int({ description: 'The first this many calls after `after` (default 20, at most 1000).' }),
      after: t.arg.string({ description: 'A cursor: start after this call.' }),
      last: t.arg.int({ description: 'The last this many calls before `before` (at most 1000).' }),
      before: t.arg.string({ description: 'A cursor: end before this call.' }),
      filter: t.arg({ type: CallFilterInputRef, description: 'Only calls matching it; all calls when absent.' }),
      orderBy: t.arg({ type: CallOrderInput, description: 'The sort; latest setup time first when absent.' }),
    },
    resolve: async (_root, args, { store, viewer, customFieldDefinitions }, info) => {
      assertCanView(viewer);
      const order: CallOrder = {
        field: args.orderBy?.field ?? DEFAULT_CALL_ORDER.field,
        direction: args.orderBy?.direction ?? DEFAULT_CALL_ORDER.direction,
      };
      const window = decideCallWindow(args, order.field);
      if (!window.ok) throw badUserInput(window.message);

      const input: CallFilterInput = {
        ...args.filter,
        customFields: args.filter?.customFields?.map((entry) => ({ ...entry, fieldId: entry.fieldId == null ? entry.fieldId : String(entry.fieldId) })),
      };
      const fields = input.customFields?.length ? await customFieldDefinitions() : [];
      const decision = args.filter ? decideCallFilter(input, fields) : { ok: true as const, filter: NO_FILTER };
      if (!decision.ok) {
        const details = decision.problems.map((p) => ({ path: `filter.${p.path}`, message: p.message }));
        throw badUserInput(`Invalid filter: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
      }

      const query = { tenantId: viewer.tenantId, filter: decision.filter, order, window: window.window };
      const page = await store.listCalls({ ...query, withTotal: selects(info, 'totalCount') });
      const nodes = pageCallSources(page.calls, store, viewer.tenantId);
      const edges = nodes.map((node) => ({ cursor: cursorOf(node.call, order.field), node }));
      return {
        edges,
        pageInfo: { ...pageInfoOf(window.window, page), startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount: async () =>
          page.total ?? (await store.listCalls({ ...query, window: { ...window.window, take: 0 }, withTotal: true })).total ?? 0,
      };
    },
  }),
);
