import { randomBytes, randomUUID } from 'node:crypto';
import { cliOrigin } from '../core/change-log.js';
import { closeSync, openSync } from 'node:fs';
import { UUID } from '../core/call.js';
import { decideImportedValues } from '../core/change-set.js';
import { checkDefinition, CUSTOM_FIELD_TYPES, type CustomFieldType } from '../core/custom-field.js';
import { decideNewCustomField } from '../core/field-definition.js';
import { ROLES, type Role } from '../core/permissions.js';
import { hashApiToken, hashPassword, newApiToken } from '../auth/credentials.js';
import { ImportError, type CallStore, type Tenant } from '../store/call-store.js';
import { DEMO_FIELDS, demoCalls } from './demo-data.js';
import { CommandFailure, UsageError } from './errors.js';
import { callsOf, countCallLines, linesOf } from './import-file.js';
import type { Progress } from './progress.js';


export const DEFAULT_TENANT = 'default';
const now = () => new Date().toISOString();

export async function createTenant(store: CallStore, name: string): Promise<Tenant> {
  if (!name.trim()) throw new UsageError('--name must not be empty');
  return store.createTenant({ id: randomUUID(), name: name.trim(), now: now() });
}

/** The named tenant; "default" is created on first use, any other must exist. */
export async function tenantNamed(store: CallStore, name = DEFAULT_TENANT): Promise<Tenant> {
  const found = await store.findTenantByName(name);
  if (found) return found;
  if (name === DEFAULT_TENANT) return createTenant(store, name);
  throw unknownTenant(name);
}

export const unknownTenant = (name: string) =>
  new CommandFailure(`Unknown tenant "${name}"; create it with: callgate tenants create --name ${JSON.stringify(name)}`);

export async function createUser(
  store: CallStore,
  input: { username: string; role: string; password: string; tenant?: string },
) {
  const username = input.username.trim();
  if (!username || username.length > 64 || username.includes(':')) {
    throw new UsageError('--username must be 1 to 64 characters without ":"');
  }
  if (!(ROLES as readonly string[]).includes(input.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if ([...input.password].length < 8) throw new UsageError('The password must be at least 8 characters');
  const tenant = await tenantNamed(store, input.tenant);
  const id = randomUUID();
  await store.createApiUser({ id, tenantId: tenant.id, username, passwordHash: await hashPassword(input.password), role: input.role as Role, now: now() });
  return { id, username, role: input.role, tenant: tenant.name };
}

export async function createToken(store: CallStore, input: { username: string; name?: string }) {
  const user = await store.findUserByUsername(input.username);
  if (!user) throw new CommandFailure(`Unknown user "${input.username}"`);
  const token = newApiToken();
  const id = randomUUID();
  await store.createApiToken({ id, userId: user.id, name: input.name ?? 'cli', tokenHash: hashApiToken(token), now: now() });
  return { id, username: user.username, token };
}

export async function createField(
  store: CallStore,
  input: { name: string; type: string; maxLength?: string; options?: string; editable: boolean; enabled: boolean; id?: string; tenant?: string },
) {
  if (!(CUSTOM_FIELD_TYPES as readonly string[]).includes(input.type)) {
    throw new UsageError(`--type must be one of ${CUSTOM_FIELD_TYPES.join(', ')}`);
  }
  const type = input.type as CustomFieldType;
  const maxLength = input.maxLength === undefined ? null : Number(input.maxLength);
  const options = input.options === undefined ? null : input.options.split(',').map((o) => o.trim());
  const problems = checkDefinition({ name: input.name, type, options, maxLength });
  const first = Object.entries(problems)[0];
  if (first) throw new UsageError(first[1]);
  if (input.id !== undefined && !UUID.test(input.id)) throw new UsageError('--id must be a UUID');
  const tenant = await tenantNamed(store, input.tenant);
  const definition = { id: input.id, name: input.name, type, options, maxLength, editable: input.editable, enabled: input.enabled };
  const outcome = await store.defineCustomField({
    tenantId: tenant.id,
    now: now(),
    decide: (fields) => decideNewCustomField(definition, { tenantId: tenant.id, fieldId: randomUUID() }, fields),
  });
  if (outcome.kind !== 'written') {
    const refusal = outcome.kind === 'refused' ? outcome.refusal : null;
    if (refusal?.kind === 'invalid') throw new UsageError(refusal.problems[0]!.message);
    throw new CommandFailure(refusal?.message ?? 'The field was not created');
  }
  const { field } = outcome;
  return {
    field_id: field.fieldId,
    name: field.name,
    type: field.type,
    options: field.options,
    max_length: field.maxLength,
    editable: field.editable,
    enabled: field.enabled,
    tenant: tenant.name,
  };
}

/** An import file that cannot be opened, in words for the operator. */
function unreadable(file: string, error: unknown): CommandFailure {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? error);
  return new CommandFailure(`Cannot read ${JSON.stringify(file)}: ${why}`);
}

/**
 * Imports one REST-shaped call per line, all in one transaction: a bad line
 * stops the import with its line number and nothing is imported. The file
 * (or stdin, `-`) is read as the calls are written, a block at a time, so
 * memory stays flat whatever its size; a file's calls are counted first, for
 * progress with a total.
 */
export async function importCalls(store: CallStore, input: { file: string; tenant?: string; progress?: Progress }) {
  const tenant = await tenantNamed(store, input.tenant);
  const fromStdin = input.file === '-';
  let fd = 0;
  let total: number | undefined;
  if (!fromStdin) {
    try {
      fd = openSync(input.file, 'r');
      total = countCallLines(input.file);
    } catch (error) {
      if (fd !== 0) closeSync(fd);
      throw unreadable(input.file, error);
    }
  }
  input.progress?.start(total);
  try {
    const imported = await store.importCalls({
      tenantId: tenant.id,
      calls: callsOf(linesOf(fd)),
      now: now(),
      decide: decideImportedValues,
      origin: cliOrigin('import'),
      progress: (written) => input.progress?.update(written),
      finishing: (written) => input.progress?.note(`${written.toLocaleString('en-US')} rows written, committing`),
    });
    input.progress?.finish(`imported ${imported} calls`);
    return { imported, tenant: tenant.name };
  } catch (error) {
    if (error instanceof ImportError) throw new CommandFailure(`line ${error.line}: ${error.message}`);
    throw error;
  } finally {
    if (!fromStdin) closeSync(fd);
  }
}

/**
 * A tenant, three users (one per role) with fresh passwords, a token for the
 * editor, the demo fields and 1,000 calls, all written in one transaction.
 */
export async function seedDemo(store: CallStore, input: { tenant?: string; calls?: number } = {}) {
  for (const username of ROLES) {
    if (await store.findUserByUsername(username)) {
      throw new CommandFailure(`User "${username}" already exists: seed --demo needs a fresh database`);
    }
  }
  const tenantName = input.tenant ?? DEFAULT_TENANT;
  const found = await store.findTenantByName(tenantName);
  if (!found && tenantName !== DEFAULT_TENANT) throw unknownTenant(tenantName);
  const tenant = found ?? { id: randomUUID(), name: tenantName };
  const users = [];
  const accounts = [];
  for (const role of ROLES) {
    const password = randomBytes(12).toString('base64url');
    const id = randomUUID();
    accounts.push({ id, username: role, role, passwordHash: await hashPassword(password) });
    users.push({ username: role, role, password });
  }
  const token = newApiToken();
  const editor = accounts.find((a) => a.role === 'editor')!;
  const calls = demoCalls(input.calls ?? 1000);
  await store.seed({
    now: now(),
    origin: cliOrigin('import'),
    tenant: { ...tenant, existing: found !== null },
    users: accounts,
    tokens: [{ id: randomUUID(), userId: editor.id, name: 'demo', tokenHash: hashApiToken(token) }],
    fields: DEMO_FIELDS.map((field) => ({
      fieldId: field.fieldId,
      name: field.name,
      description: null,
      type: field.type,
      options: field.options ?? null,
      maxLength: field.maxLength ?? null,
      editable: field.editable ?? true,
      enabled: field.enabled ?? true,
    })),
    calls,
    decide: decideImportedValues,
  });
  return { tenant: tenant.name, users, token: { username: 'editor', token }, fields: DEMO_FIELDS.length, calls: calls.length };
}
