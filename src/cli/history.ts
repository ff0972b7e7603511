import { UUID } from '../core/call.js';
import { vendorChange, type VendorChange } from '../core/change-log.js';
import type { CallStore, ChangeQuery, Tenant } from '../store/call-store.js';
import { DEFAULT_TENANT, unknownTenant, UsageError } from './commands.js';

export const HISTORY_LIMIT = { default: 50, max: 1000 };
export const CHANGES_LIMIT = { default: 100, max: 10_000 };

function wholeNumber(value: string | undefined, range: { min: number; max: number; default: number }, problem: string): number {
  if (value === undefined) return range.default;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= range.min && n <= range.max)) throw new UsageError(problem);
  return n;
}

const limitOf = (value: string | undefined, range: { default: number; max: number }) =>
  wholeNumber(value, { min: 1, ...range }, `--limit must be a whole number from 1 to ${range.max}`);

/** A read never creates a tenant: a missing "default" has no records, any other missing tenant is a mistake. */
async function readTenant(store: CallStore, name = DEFAULT_TENANT): Promise<Tenant | null> {
  const found = await store.findTenantByName(name);
  if (!found && name !== DEFAULT_TENANT) throw unknownTenant(name);
  return found;
}

/**
 * A field named by id (a UUID) or by name. A name is also matched by the id of
 * the tenant's field that has it now (any case), so records written before a
 * rename are found under the new name, and records under an old name by it.
 */
async function fieldFilter(store: CallStore, tenantId: string, field: string): Promise<NonNullable<ChangeQuery['fields']>> {
  if (UUID.test(field)) return { ids: [field.toLowerCase()], names: [] };
  const current = (await store.listCustomFields(tenantId, { includeDisabled: true })).find((f) => f.name.toLowerCase() === field.trim().toLowerCase());
  return { ids: current ? [current.fieldId] : [], names: [field.trim()] };
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
  const after = wholeNumber(input.after, { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 }, '--after must be a sequence number (a whole number, 0 for the start)');
  const limit = limitOf(input.limit, CHANGES_LIMIT);
  const tenant = await readTenant(store, input.tenant);
  if (!tenant) return [];
  const records = await store.readChanges({ tenantId: tenant.id, afterSequence: after, order: 'asc', limit });
  return records.map((record) => vendorChange(record));
}
