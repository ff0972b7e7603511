import type { CallRecord } from '../core/call.js';
import type { CustomFieldValue } from '../core/custom-field.js';
import type { CallStore, CallWithValues } from '../store/call-store.js';

/** What a Call resolves from: the record, and its stored values, already read or read with its whole page. */
export interface CallSource {
  call: CallRecord;
  values: () => Promise<CustomFieldValue[]>;
}

export const callSource = ({ call, customFields }: CallWithValues): CallSource => ({ call, values: async () => customFields });

/**
 * The sources of one page of calls. The first call asked for its values reads
 * those of every call on the page, in one statement, so a page costs the same
 * number of statements whatever its size (no N+1).
 */
export function pageCallSources(calls: readonly CallRecord[], store: CallStore, tenantId: string): CallSource[] {
  let values: Promise<Map<string, CustomFieldValue[]>> | undefined;
  const load = () => (values ??= store.listCustomFieldValues(tenantId, calls.map((c) => c.callId)));
  return calls.map((call) => ({ call, values: async () => (await load()).get(call.callId) ?? [] }));
}
