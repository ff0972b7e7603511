import { callMatchesFilter, decideCallFilter, type CallFilter, type CallFilterInput } from '../core/call-filter.js';
import { decodeSequenceCursor, sequenceCursor, type ChangeRecord } from '../core/change-log.js';
import { GraphQLError } from 'graphql';
import type { ChangeQuery } from '../store/call-store.js';
import { builder } from './builder.js';
import { CallRef, normalizeCallId } from './call.js';
import { CallFilterInputRef } from './call-list.js';
import { callSource, type CallSource } from './call-source.js';
import { CallChangeRef, CallChangeSetRef, ChangeActorRef, ChangeChannelEnum, CustomFieldRefInput, fieldsFilter } from './change-log.js';
import type { GraphQLContext } from './context.js';
import { assertCanView, badUserInput } from './errors.js';

/** One change set of a call, as a subscriber sees it. */
interface CallChangeEventSource {
  /** The change set's records the subscription asked for (all of them, or those of its `fields`). */
  changes: ChangeRecord[];
  /** The change set's last record: its cursor, and what all its records share. */
  last: ChangeRecord;
  call: CallSource | null;
}

/** The last event of a subscriber that fell too far behind: where to resume. */
interface TooSlow {
  tooSlowAfter: number;
}

const CallChangeEventRef = builder.objectRef<CallChangeEventSource>('CallChangeEvent').implement({
  description: 'The changes one request made to one call\'s custom field values, as they happened.',
  fields: (t) => ({
    id: t.id({ description: 'The event\'s id: its `cursor`.', resolve: (e) => sequenceCursor(e.last.sequence) }),
    cursor: t.string({
      description:
        'The cursor of the change set\'s last record: resume with it as `after` (here, in `changes` or REST `after=`) to miss nothing and repeat nothing.',
      resolve: (e) => sequenceCursor(e.last.sequence),
    }),
    call: t.field({ type: CallRef, nullable: true, description: 'The call as it was read right after the change set.', resolve: (e) => e.call }),
    changes: t.field({
      type: [CallChangeRef],
      description: 'The change set\'s changes, in log order (with `fields`, only those of these fields).',
      resolve: (e) => e.changes,
    }),
    changeSet: t.field({ type: CallChangeSetRef, description: 'The change set.', resolve: (e) => e.last }),
    actor: t.field({ type: ChangeActorRef, description: 'Who made the changes.', resolve: (e) => e.last }),
    channel: t.field({ type: ChangeChannelEnum, description: 'Where the changes came in.', resolve: (e) => e.last.channel }),
    at: t.field({ type: 'DateTime', description: 'When the changes were committed.', resolve: (e) => e.last.committedAt }),
  }),
});

const MAX_FILTER_VALUES = 1000;
builder.subscriptionField('callChanges', (t) =>
  t.field({
    type: CallChangeEventRef,
    description:
      'One event per change set (the changes one request made to one call) of the tenant\'s change log, in log order, with ' +
      'the call as it is after it. Without `after` (or a `Last-Event-ID` header) it starts at the log\'s current end; with ' +
      'it, it first replays every change set after that cursor, then goes on live, with no gap and no repeat. Every ' +
      'condition given must hold. Over SSE the events carry no `id:` line, so a client resumes by sending the last ' +
      'event\'s `cursor` as `after`, or as the `Last-Event-ID` header (used when `after` is not given).',
    args: {
      callIds: t.arg.idList({ description: 'Only changes of these calls (at most 1000).' }),
      filter: t.arg({ type: CallFilterInputRef, description: 'Only changes of calls that match this filter (as `calls` does) right after the change.' }),
      fields: t.arg({ type: [CustomFieldRefInput], description: 'Only changes of these fields (at most 1000), by id or by name (now or then).' }),
      after: t.arg.string({ description: 'A cursor (an event\'s, a change\'s, or `0`): replay every change set after it first.' }),
    },
    subscribe: async (_root, args, context) => {
      const { viewer } = context;
      assertCanView(viewer);
      if ((args.callIds?.length ?? 0) > MAX_FILTER_VALUES) throw badUserInput(`callIds may list at most ${MAX_FILTER_VALUES} values`);
      if ((args.fields?.length ?? 0) > MAX_FILTER_VALUES) throw badUserInput(`fields may list at most ${MAX_FILTER_VALUES} values`);
      const afterText = args.after ?? context.lastEventId;
      const after = afterText == null ? null : decodeSequenceCursor(afterText);
      if (afterText != null && after === null) throw badUserInput('after is not a cursor of the change log');

      const callIds = args.callIds && new Set(args.callIds.map((id) => normalizeCallId(String(id)) ?? String(id)));
      const fields: ChangeQuery['fields'] | null = args.fields ? await fieldsFilter(args.fields, context) : null;
      let filter: CallFilter | null = null;
      if (args.filter) {
        const input: CallFilterInput = {
          ...args.filter,
          customFields: args.filter.customFields?.map((entry) => ({ ...entry, fieldId: entry.fieldId == null ? entry.fieldId : String(entry.fieldId) })),
        };
        const decision = decideCallFilter(input, input.customFields?.length ? await context.customFieldDefinitions() : []);
        if (!decision.ok) {
          const details = decision.problems.map((p) => ({ path: `filter.${p.path}`, message: p.message }));
          throw badUserInput(`Invalid filter: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
        }
        filter = decision.filter;
      }

      const tooSlow = (lastDelivered: number): TooSlow => ({ tooSlowAfter: lastDelivered });
      return context.changeFeed.open<CallChangeEventSource | TooSlow>(viewer.tenantId, after, async (set, reads) => {
        const last = set.at(-1)!;
        const changes = fields ? set.filter((r) => fields.ids.includes(r.fieldId) || fields.names.includes(r.fieldName)) : set;
        if (changes.length === 0) return null;
        const found = await reads.call();
        if (filter && !(found && callMatchesFilter(filter, found.call, found.customFields))) return null;
        return { changes, last, call: found ? callSource(found) : null };
      }, tooSlow, callIds ?? undefined);
    },
    resolve: (event) => {
      if ('tooSlowAfter' in event) {
        throw new GraphQLError(`Too slow: resume with after: ${sequenceCursor(event.tooSlowAfter)}`, {
          extensions: { code: 'SUBSCRIPTION_TOO_SLOW' },
        });
      }
      return event;
    },
  }),
);
