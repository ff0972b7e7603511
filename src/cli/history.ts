import { UUID } from '../core/call.js';
import { decodeSequenceCursor, vendorChange, type VendorChange } from '../core/change-log.js';
import { nameKey } from '../core/custom-field.js';
import type { CallStore, ChangeQuery, Tenant } from '../store/call-store.js';
import { DEFAULT_TENANT, unknownTenant } from './commands.js';
import { UsageError } from './errors.js';

export const HISTORY_LIMIT = { default: 50, max: 1000 };
export const CHANGES_LIMIT = { default: 100, max: 10_000 };

function limitOf(value: string | undefined, range: { default: number; max: number }): number {
  if (value === undefined) return range.default;
  const limit = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= range.max)) throw new UsageError(`--limit must be a whole number from 1 to ${range.max}`);
  return limit;
}

/** A read never creates a tenant: a missing "default" has no records, any other missing tenant is a mistake. */
async function readTenant(store: CallStore, name = DEFAULT_TENANT): Promise<Tenant | null> {
  const found = await store.findTenantByName(name);
  if (!found && name !== DEFAULT_TENANT) throw unknownTenant(name);
  return found;
}

/**
 * A field named by id (a UUID) or by name. A name matches the records written
 * under it and every record of the tenant's field that has it now (in any
 * case) or had it before a rename, as GraphQL's field filter does.
 */
async function fieldFilter(store: CallStore, tenantId: string, field: string): Promise<NonNullable<ChangeQuery['fields']>> {
  if (UUID.test(field)) return { ids: [field.toLowerCase()], names: [] };
  const name = field.trim();
  const fields = await store.listCustomFields(tenantId, { includeDisabled: true });
  const named =
    fields.find((f) => f.name === name) ??
    fields.find((f) => nameKey(f.name) === nameKey(name)) ??
    fields.find((f) => (f.previousNames ?? []).some((n) => nameKey(n) === nameKey(name)));
  return { ids: named ? [named.fieldId] : [], names: [name] };
}

/** `callgate history --call`: one call's records, newest first. */
export async function callHistory(
  store: CallStore,
  input: { call: string | undefined; tenant?: string; field?: string; limit?: string },
): Promise<VendorChange[]> {
  if (input.call === undefined || input.call === '') throw new UsageError('--call is required');
  if (!UUID.test(input.call)) throw new UsageError('--call must be a UUID');
  if (input.field !== undefined && input.field.trim() === '') throw new UsageError('--field must name a field (its id or name)');
  const limit = limitOf(input.limit, HISTORY_LIMIT);
  const tenant = await readTenant(store, input.tenant);
  if (!tenant) return [];
  const fields = input.field === undefined ? undefined : await fieldFilter(store, tenant.id, input.field);
  const records = await store.readChanges({ tenantId: tenant.id, callIds: [input.call.toLowerCase()], fields, order: 'desc', limit });
  return records.map((record) => vendorChange(record));
}

/** `callgate changes --after N`: the tenant's records after a sequence number, oldest first. */
export async function changesAfter(store: CallStore, input: { after?: string; tenant?: string; limit?: string }): Promise<VendorChange[]> {
  const after = input.after === undefined ? 0 : decodeSequenceCursor(input.after);
  if (after === null) throw new UsageError('--after must be a sequence number (a whole number, 0 for the start)');
  const limit = limitOf(input.limit, CHANGES_LIMIT);
  const tenant = await readTenant(store, input.tenant);
  if (!tenant) return [];
  const records = await store.readChanges({ tenantId: tenant.id, afterSequence: after, order: 'asc', limit });
  return records.map((record) => vendorChange(record));
}
