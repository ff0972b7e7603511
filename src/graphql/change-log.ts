import { decideAccountWindow, type AccountWindow } from '../core/account-list.js';
import { pageInfoOf } from '../core/call-list.js';
import { decodeSequenceCursor, sequenceCursor, type ChangeRecord } from '../core/change-log.js';
import type { Viewer } from '../core/viewer.js';
import type { CallStore, ChangeQuery } from '../store/call-store.js';
import { builder } from './builder.js';
import { CallRef, normalizeCallId } from './call.js';
import { PageInfoRef, type PageInfoSource } from './call-list.js';
import { callSource, type CallSource } from './call-source.js';
import type { GraphQLContext } from './context.js';
import { CustomFieldRef } from './custom-field.js';
import { assertCanView, badUserInput } from './errors.js';
import { PAGE_SIZES } from './query-limits.js';

/** How many records a page of `changes` holds by default, and at most (query-limits.ts counts its cost the same). */
export const CHANGES_PAGE = PAGE_SIZES['Query.changes']!;

export const ChangeChannelEnum = builder.enumType('ChangeChannel', {
  description: 'Where a change came in.',
  values: {
    REST: { value: 'rest', description: 'The REST API (`PUT /api/v2/calls/{call_id}.json`).' },
    GRAPHQL: { value: 'graphql', description: 'The GraphQL API (`setCallCustomFields`).' },
    IMPORT: { value: 'import', description: 'The CLI\'s `calls import` (or the demo seed).' },
    ADMIN: { value: 'admin', description: 'Field administration: a forced delete or a forced tightening of a field.' },
    BULK: { value: 'bulk', description: 'A bulk edit (`setCustomFieldsOnCalls` or the CLI\'s `calls set-fields`); its `requestId` is the operation id.' },
  } as const,
});

const CallChangeKindEnum = builder.enumType('CallChangeKind', {
  description: 'What a change did to a stored value.',
  values: {
    SET: { value: 'set', description: 'The value was set or replaced.' },
    CLEARED: { value: 'cleared', description: 'The value was cleared (`null` or `""`).' },
    FIELD_DELETED: { value: 'field_deleted', description: 'The value was removed with its field (a forced `deleteCustomField`).' },
    INVALIDATED: {
      value: 'invalidated',
      description: 'The value stayed as it was (`oldValue` = `newValue`) but no longer satisfies its field, whose definition was tightened with `force`.',
    },
  } as const,
});

export const ChangeActorRef = builder.objectRef<ChangeRecord>('ChangeActor').implement({
  description: 'Who made a change: an API user (with the token it used, if any), or the operator\'s CLI.',
  fields: (t) => ({
    id: t.id({ nullable: true, description: 'The API user\'s id; null for the CLI.', resolve: (r) => r.actor?.userId ?? null }),
    username: t.string({ description: 'The API user\'s username; `cli` for the CLI.', resolve: (r) => r.actor?.username ?? 'cli' }),
    tokenId: t.id({
      nullable: true,
      description: 'The API token the request authenticated with; null for a password login and for the CLI.',
      resolve: (r) => r.actor?.tokenId ?? null,
    }),
    cli: t.boolean({ description: 'True when the operator\'s CLI made the change.', resolve: (r) => r.actor === null }),
  }),
});

export const CallChangeSetRef = builder.objectRef<ChangeRecord>('CallChangeSet').implement({
  description: 'The changes of one call made by one request: they share an id and the call version after them.',
  fields: (t) => ({
    id: t.exposeID('changeSetId', { description: 'The change set id.' }),
  }),
});

const CallChangeFieldRef = builder.objectRef<ChangeRecord>('CallChangeField').implement({
  description: 'The custom field a change was made to, as it was then.',
  fields: (t) => ({
    id: t.exposeID('fieldId', { description: 'The field UUID.' }),
    name: t.exposeString('fieldName', { description: 'The field\'s name when the change was made (a later rename does not change it).' }),
    customField: t.field({
      type: CustomFieldRef,
      nullable: true,
      description: 'The field\'s definition now; null when the field has been deleted since.',
      resolve: async (r, _args, { customFieldDefinitions }) => (await customFieldDefinitions()).find((f) => f.fieldId === r.fieldId) ?? null,
    }),
  }),
});

export const CallChangeRef = builder.objectRef<ChangeRecord>('CallChange').implement({
  description: 'One change of one stored custom field value, from the tenant\'s change log.',
  fields: (t) => ({
    id: t.id({ description: 'The record\'s id in the tenant\'s log: its sequence, in decimal (the same as `cursor`).', resolve: (r) => sequenceCursor(r.sequence) }),
    sequence: t.field({
      type: 'SafeInt',
      description: 'Its place in the tenant\'s log: strictly increasing in commit order, never reused.',
      resolve: (r) => r.sequence,
    }),
    cursor: t.string({
      description: 'The record\'s cursor (its sequence in decimal): pass it as `after` to `changes` (or REST `after=`) to read on from here.',
      resolve: (r) => sequenceCursor(r.sequence),
    }),
    changeSet: t.field({ type: CallChangeSetRef, description: 'The change set it belongs to.', resolve: (r) => r }),
    callId: t.exposeID('callId', { description: 'The call UUID.' }),
    call: t.field({
      type: CallRef,
      nullable: true,
      description: 'The call as it is now.',
      resolve: (r, _args, { store, viewer }) => readCall(store, viewer, r.callId),
    }),
    field: t.field({ type: CallChangeFieldRef, description: 'The field, as it was named then.', resolve: (r) => r }),
    kind: t.field({ type: CallChangeKindEnum, description: 'What the change did.', resolve: (r) => r.kind }),
    oldValue: t.exposeString('oldValue', { nullable: true, description: 'The stored text before; null where the call had no value.' }),
    newValue: t.exposeString('newValue', { nullable: true, description: 'The stored text after; null where it was cleared or removed.' }),
    callVersion: t.field({ type: 'SafeInt', description: 'The call\'s `version` after the change set.', resolve: (r) => r.callVersion }),
    actor: t.field({ type: ChangeActorRef, description: 'Who made the change.', resolve: (r) => r }),
    channel: t.field({ type: ChangeChannelEnum, description: 'Where the change came in.', resolve: (r) => r.channel }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The request\'s id (its `X-Request-Id`); null for the CLI.' }),
    clientAddress: t.string({
      nullable: true,
      description: 'The client\'s address (behind a trusted proxy, its X-Forwarded-For); shown to admins only, null for other roles and the CLI.',
      resolve: (r, _args, { viewer }) => (viewer.role === 'admin' ? r.clientAddress : null),
    }),
    at: t.field({ type: 'DateTime', description: 'When the change was committed.', resolve: (r) => r.committedAt }),
  }),
});

const readCall = async (store: CallStore, viewer: Viewer, callId: string): Promise<CallSource | null> => {
  const found = await store.getCall(viewer.tenantId, callId);
  return found ? callSource(found) : null;
};

interface ChangeConnectionSource {
  edges: { cursor: string; node: ChangeRecord }[];
  pageInfo: PageInfoSource;
}

const CallChangeEdgeRef = builder.objectRef<ChangeConnectionSource['edges'][number]>('CallChangeEdge').implement({
  description: 'A change and its cursor.',
  fields: (t) => ({
    cursor: t.exposeString('cursor', { description: 'The record\'s cursor (its sequence).' }),
    node: t.field({ type: CallChangeRef, description: 'The change.', resolve: (edge) => edge.node }),
  }),
});

const CallChangeConnectionRef = builder.objectRef<ChangeConnectionSource>('CallChangeConnection').implement({
  description: 'A page of change records.',
  fields: (t) => ({
    edges: t.field({ type: [CallChangeEdgeRef], description: 'The records on this page, in list order.', resolve: (c) => c.edges }),
    nodes: t.field({ type: [CallChangeRef], description: 'The records on this page, as `edges` without cursors.', resolve: (c) => c.edges.map((e) => e.node) }),
    pageInfo: t.field({ type: PageInfoRef, description: 'Where this page lies.', resolve: (c) => c.pageInfo }),
  }),
});

export const CustomFieldRefInput = builder.inputType('CustomFieldRef', {
  description: 'A custom field by `fieldId` or `name` (the id wins when both are given).',
  fields: (t) => ({
    fieldId: t.id({ description: 'The field UUID.' }),
    name: t.string({ description: 'The exact field name: its name now, a name it had before, or the name a record was written under.' }),
  }),
});

export type FieldRefValue = { fieldId?: string | number | null; name?: string | null };

/**
 * The records a field reference matches: by id; by name, every record of the
 * field that has that name now (or had it before a rename) and every record
 * written while a field had that name, so a deleted field's records are found
 * by its name too.
 */
export async function fieldsFilter(refs: readonly FieldRefValue[], context: GraphQLContext): Promise<NonNullable<ChangeQuery['fields']>> {
  const definitions = await context.customFieldDefinitions();
  const ids: string[] = [];
  const names: string[] = [];
  for (const ref of refs) {
    if (ref.fieldId != null) ids.push(String(ref.fieldId).toLowerCase());
    else if (ref.name != null) {
      names.push(ref.name);
      const named = definitions.find((f) => f.name === ref.name) ?? definitions.find((f) => f.previousNames?.includes(ref.name!));
      if (named) ids.push(named.fieldId);
    } else throw badUserInput('A custom field reference needs fieldId or name');
  }
  return { ids, names };
}

/** A page of records, in list order (newest first when `newestFirst`), for Relay. */
async function changePage(
  store: CallStore,
  base: Omit<ChangeQuery, 'order' | 'limit' | 'afterSequence' | 'beforeSequence'>,
  window: AccountWindow<number>,
  newestFirst: boolean,
): Promise<ChangeConnectionSource> {
  // The list's `after` and `before` are sequences; newest first, "after" in the list is a smaller sequence.
  const [listAfter, listBefore] = newestFirst ? (['beforeSequence', 'afterSequence'] as const) : (['afterSequence', 'beforeSequence'] as const);
  const ascending = newestFirst === window.fromEnd;
  const read = await store.readChanges({
    ...base,
    ...(window.after !== null ? { [listAfter]: window.after } : {}),
    ...(window.before !== null ? { [listBefore]: window.before } : {}),
    order: ascending ? 'asc' : 'desc',
    limit: window.take + 1,
  });
  const rows = read.slice(0, window.take);
  if (window.fromEnd) rows.reverse();
  const edges = rows.map((node) => ({ cursor: sequenceCursor(node.sequence), node }));
  // Behind the cursor lies at least the record it names (unless retention has removed it since).
  const behindCursor = (window.fromEnd ? window.before : window.after) !== null;
  return {
    edges,
    pageInfo: {
      ...pageInfoOf(window, { more: read.length > window.take, behindCursor }),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const decideWindow = (args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }) => {
  const decision = decideAccountWindow(args, decodeSequenceCursor);
  if (!decision.ok) throw badUserInput(decision.message);
  return decision.window;
};

builder.objectField(CallRef, 'history', (t) =>
  t.field({
    type: CallChangeConnectionRef,
    description:
      'The changes of this call\'s custom field values, newest first (Relay cursor pagination: `first` and `last` default ' +
      'to 20 and may be at most 1000). `field` narrows it to one field, by id or by name (its name now or then).',
    args: {
      first: t.arg.int({ description: 'The first this many records after `after` (default 20, at most 1000).' }),
      after: t.arg.string({ description: 'A cursor: start after this record.' }),
      last: t.arg.int({ description: 'The last this many records before `before` (at most 1000).' }),
      before: t.arg.string({ description: 'A cursor: end before this record.' }),
      field: t.arg({ type: CustomFieldRefInput, description: 'Only this field\'s records.' }),
    },
    resolve: async ({ call }, args, context) => {
      const window = decideWindow(args);
      const fields = args.field ? await fieldsFilter([args.field], context) : undefined;
      return changePage(context.store, { tenantId: context.viewer.tenantId, callIds: [call.callId], ...(fields ? { fields } : {}) }, window, true);
    },
  }),
);

const ChangeFilterInput = builder.inputType('ChangeFilter', {
  description: 'Which records of the change log to read; every condition given must hold, and within one list any of its values.',
  fields: (t) => ({
    callIds: t.idList({ description: 'Records of these calls (at most 1000).' }),
    fields: t.field({ type: [CustomFieldRefInput], description: 'Records of these fields (at most 1000).' }),
    actors: t.stringList({ description: 'Records made by these usernames; `cli` for the operator\'s CLI.' }),
    channels: t.field({ type: [ChangeChannelEnum], description: 'Records that came in through these channels.' }),
    since: t.field({ type: 'DateTime', description: 'Records committed at or after this instant.' }),
    until: t.field({ type: 'DateTime', description: 'Records committed before this instant.' }),
  }),
});

const MAX_FILTER_VALUES = 1000;

builder.queryField('changes', (t) =>
  t.field({
    type: CallChangeConnectionRef,
    nullable: true,
    description:
      'The tenant\'s change log, oldest first, for feeds and syncs: keep the last `pageInfo.endCursor` (or a record\'s ' +
      '`cursor`) and ask again with it as `after`; no record is ever missed or repeated, also while others write, on ' +
      `any instance. \`first\` defaults to ${CHANGES_PAGE.default}, at most ${CHANGES_PAGE.max}. On an empty page \`endCursor\` ` +
      'is `after` as given. `last` (with or without `before`) reads backwards: `changes(last: 50)` is the latest 50.',
    args: {
      after: t.arg.string({ description: 'A cursor: records after it (`0` or none: from the start of the log).' }),
      first: t.arg.int({ description: `How many records after \`after\` (default ${CHANGES_PAGE.default}, at most ${CHANGES_PAGE.max}).` }),
      last: t.arg.int({ description: `How many records before \`before\`, or the latest ones (at most ${CHANGES_PAGE.max}).` }),
      before: t.arg.string({ description: 'A cursor: records before it.' }),
      filter: t.arg({ type: ChangeFilterInput, description: 'Which records.' }),
    },
    resolve: async (_root, args, context) => {
      assertCanView(context.viewer);
      const backwards = args.last != null || (args.before != null && args.first == null);
      const window = decideWindow({ ...args, first: args.first ?? (backwards ? null : CHANGES_PAGE.default) });
      const filter = args.filter ?? {};
      for (const name of ['callIds', 'fields', 'actors', 'channels'] as const) {
        if ((filter[name]?.length ?? 0) > MAX_FILTER_VALUES) throw badUserInput(`filter.${name} may list at most ${MAX_FILTER_VALUES} values`);
      }
      const base: Omit<ChangeQuery, 'order' | 'limit'> = { tenantId: context.viewer.tenantId };
      if (filter.callIds) base.callIds = filter.callIds.map((id) => normalizeCallId(String(id)) ?? String(id));
      if (filter.fields) base.fields = await fieldsFilter(filter.fields, context);
      if (filter.actors) base.actors = filter.actors;
      if (filter.channels) base.channels = filter.channels;
      if (filter.since) base.committedFrom = filter.since;
      if (filter.until) base.committedBefore = filter.until;
      const page = await changePage(context.store, base, window, false);
      if (page.pageInfo.endCursor === null && args.after != null) page.pageInfo.endCursor = args.after;
      return page;
    },
  }),
);
