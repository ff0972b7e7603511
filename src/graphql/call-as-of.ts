import { valuesAsOf, versionAsOf } from '../core/change-log.js';
import type { CustomFieldValue } from '../core/custom-field.js';
import type { CallSource } from './call-source.js';
import type { GraphQLContext } from './context.js';

/** Records read to answer `call(asOf:)`: more than any call's history should need. */
const AS_OF_RECORDS = 10_000;

/**
 * The call as it was at an instant, from the log: the changes committed
 * after it, and for each field they touch, its latest record at or before it
 * (who wrote the value then, and when).
 */
export async function callAsOf(context: GraphQLContext, callId: string, at: string): Promise<CallSource | null> {
  const { store, viewer } = context;
  const found = await store.getCall(viewer.tenantId, callId);
  if (!found) return null;
  const after = new Date(Date.parse(at) + 1).toISOString();
  const query = { tenantId: viewer.tenantId, callIds: [callId] };
  const later = await store.readChanges({ ...query, committedFrom: after, order: 'asc', limit: AS_OF_RECORDS });
  const fieldIds = [...new Set(later.map((r) => r.fieldId))];
  const earlier = (
    await Promise.all(
      fieldIds.map((id) => store.readChanges({ ...query, fields: { ids: [id], names: [] }, committedBefore: after, order: 'desc', limit: 1 })),
    )
  ).flat();
  const latestBefore = (await store.readChanges({ ...query, committedBefore: after, order: 'desc', limit: 1 }))[0];
  const records = [...earlier, ...later, ...(latestBefore ? [latestBefore] : [])];
  const values = valuesAsOf(found.customFields, records, at, await context.customFieldDefinitions());
  const version = versionAsOf(found.call.version, records, at);
  // A value written before the log began has no known time: CustomFieldValue.updatedAt is nullable in the schema.
  return { call: { ...found.call, version }, values: async () => values as CustomFieldValue[] };
}
