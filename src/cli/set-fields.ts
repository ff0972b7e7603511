import { DEFAULT_BULK_EDIT_LIMIT } from '../core/bulk-edit.js';
import { cliOrigin } from '../core/change-log.js';
import type { FieldEntry } from '../core/change-set.js';
import { runBulkEdit } from '../graphql/set-custom-fields-on-calls.js';
import type { CallStore } from '../store/call-store.js';
import { tenantNamed } from './commands.js';
import { CommandFailure, UsageError } from './errors.js';
import { filterOption } from './filter-option.js';

export interface SetFieldsOptions {
  /** A CallFilter as JSON (the GraphQL input's shape); every call of the tenant when absent. */
  filter?: string;
  /** `Name=value` pairs; the name is a field name or id. */
  set?: readonly string[];
  /** Field names or ids to clear. */
  clear?: readonly string[];
  dryRun?: boolean;
  tenant?: string;
  /** The most calls to edit; BULK_EDIT_MAX_CALLS's default when absent. */
  limit?: number;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const reference = (field: string): Pick<FieldEntry, 'fieldId' | 'name'> => (UUID_PATTERN.test(field) ? { fieldId: field } : { name: field });

function entriesOf(options: SetFieldsOptions): FieldEntry[] {
  const entries: FieldEntry[] = (options.set ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--set takes Field=value, got ${JSON.stringify(pair)}`);
    return { ...reference(pair.slice(0, at)), value: pair.slice(at + 1) };
  });
  for (const field of options.clear ?? []) entries.push({ ...reference(field), value: null });
  if (entries.length === 0) throw new UsageError('Give at least one --set Field=value or --clear Field');
  return entries;
}

/**
 * `calls set-fields`: a bulk edit of the tenant's calls the filter matches,
 * with setCustomFieldsOnCalls' rules, in batches (progress after each).
 * Answers the JSON result to print; a refused edit is a CommandFailure
 * listing every problem, with nothing written.
 */
export async function setFields(store: CallStore, options: SetFieldsOptions, onProgress: (done: number, total: number) => void = () => {}) {
  const entries = entriesOf(options);
  const filter = filterOption(options.filter);
  const tenant = await tenantNamed(store, options.tenant);
  const outcome = await runBulkEdit({
    store,
    tenantId: tenant.id,
    userId: null,
    target: { filter },
    entries,
    dryRun: options.dryRun ?? false,
    expectedCount: null,
    limit: options.limit ?? DEFAULT_BULK_EDIT_LIMIT,
    origin: cliOrigin('bulk'),
    now: new Date().toISOString(),
    onProgress,
  });
  switch (outcome.kind) {
    case 'invalid':
      throw new CommandFailure(`Nothing was written: ${outcome.details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    case 'count_mismatch':
      throw new CommandFailure(outcome.message);
    case 'done': {
      const { kind: _kind, preview, ...counts } = outcome;
      return { tenant: tenant.name, ...counts, ...(outcome.dryRun ? { preview } : {}) };
    }
  }
}
