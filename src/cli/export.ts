import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { decideCallFilter, NO_FILTER, type CallFilter } from '../core/call-filter.js';
import type { CallKey } from '../core/call-list.js';
import { parseOptionList, type CustomFieldValue } from '../core/custom-field.js';
import type { CallStore } from '../store/call-store.js';
import { DEFAULT_TENANT, unknownTenant } from './commands.js';
import { UsageError } from './errors.js';
import { filterOption } from './filter-option.js';
import type { Progress } from './progress.js';

/** Calls read per page: the memory an export holds, whatever the number of calls. */
export const EXPORT_PAGE = 1000;

/** `--filter` decided against the tenant's fields. */
async function exportFilter(store: CallStore, tenantId: string, text: string | undefined): Promise<CallFilter> {
  if (text === undefined) return NO_FILTER;
  const decision = decideCallFilter(filterOption(text), await store.listCustomFields(tenantId));
  if (!decision.ok) throw new UsageError(`Invalid --filter: ${decision.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return decision.filter;
}

/** A stored value as the import takes it back: a multiselect's selection as a list, every other value as its text. */
function importValue(value: CustomFieldValue): string | string[] {
  return value.definition.type === 'multiselect' ? (parseOptionList(value.value) ?? value.value) : value.value;
}

/**
 * Writes the tenant's calls (those the filter matches), oldest first, one per
 * line in the import's format, so that `calls import` of the output on an
 * empty database recreates them. Reads a page at a time and waits for `out`
 * to drain, so memory stays flat whatever the number of calls.
 */
export async function exportCalls(
  store: CallStore,
  input: { filter?: string; tenant?: string; out: Writable; progress?: Progress },
): Promise<{ exported: number; tenant: string }> {
  const name = input.tenant ?? DEFAULT_TENANT;
  const tenant = await store.findTenantByName(name);
  if (!tenant && name !== DEFAULT_TENANT) throw unknownTenant(name);
  const filter = tenant ? await exportFilter(store, tenant.id, input.filter) : NO_FILTER;
  let exported = 0;
  let after: CallKey | null = null;
  while (tenant) {
    const page = await store.listCalls({
      tenantId: tenant.id,
      filter,
      order: { field: 'setup_time', direction: 'asc' },
      window: { after, before: null, offset: 0, take: EXPORT_PAGE, fromEnd: false },
      withTotal: after === null,
    });
    if (after === null) input.progress?.start(page.total ?? undefined);
    if (page.calls.length === 0) break;
    const values = await store.listCustomFieldValues(tenant.id, page.calls.map((c) => c.callId));
    const lines = page.calls.map((call) =>
      JSON.stringify({
        call_id: call.callId,
        setup_time: call.setupTime,
        from_number: call.fromNumber,
        to_number: call.toNumber,
        direction: call.direction,
        duration: call.duration,
        custom_fields: (values.get(call.callId) ?? []).map((v) => ({ field_id: v.fieldId, name: v.name, value: importValue(v) })),
      }),
    );
    if (!input.out.write(`${lines.join('\n')}\n`)) await once(input.out, 'drain');
    exported += page.calls.length;
    input.progress?.update(exported);
    const last = page.calls.at(-1)!;
    after = { key: last.setupTime, callId: last.callId };
    if (!page.more) break;
  }
  input.progress?.finish(`exported ${exported} calls`);
  return { exported, tenant: name };
}
