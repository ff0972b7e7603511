import { rmSync } from 'node:fs';
import { DEMO_CALL_ID } from '../core/vendor-examples.js';
import { ConfigError, type Config } from '../http/config.js';
import { createLogger } from '../http/logger.js';
import { readConfig, startServer } from '../http/server.js';
import { DuplicateError, StoreConfigError, StoreLimitError, StoreUnavailableError, type CallStore } from '../store/call-store.js';
import { describeDatabase, describeDatabaseForHumans, openStore } from '../store/open-store.js';
import { startRetention } from '../store/retention.js';
import { createField, createTenant, createToken, createUser, importCalls, seedDemo } from './commands.js';
import { UsageError } from './errors.js';
import { exportCalls } from './export.js';
import { callHistory, changesAfter } from './history.js';
import { progressOn } from './progress.js';
import { setFields } from './set-fields.js';
import { createWebhook, deleteWebhook, listWebhookDeliveries, listWebhooks, redeliverWebhook, rotateWebhookSecret, sendWebhookTest, updateWebhook } from './webhooks.js';

/**
 * What the commands do, behind the command line (main.ts): loaded only when
 * a command runs, so `--help` and `--version` start without the gateway.
 */

const DEMO_DATABASE = './data/demo.sqlite';
/** The usual local dev servers' origins (Vite, then Create React App / Next.js), allowed by `demo` unless CORS_ORIGINS is set. */
const DEMO_CORS_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:3000', 'http://127.0.0.1:3000'];

/** Options every command takes. */
export interface DatabaseOptions {
  db?: string;
}

const print = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const printLines = (values: readonly unknown[]): void => void process.stdout.write(values.map((value) => `${JSON.stringify(value)}\n`).join(''));

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function portFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be an integer from 0 to 65535');
  return port;
}

const configOf = (o: DatabaseOptions & { host?: string; port?: string }): Config =>
  readConfig({ databaseUrl: o.db, host: o.host, port: portFrom(o.port) });

async function withStore<T>(config: Config, run: (store: CallStore) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl, { ...config.store, groupCommit: config.groupCommit });
  try {
    await store.migrate();
    return await run(store);
  } finally {
    await store.close();
  }
}

async function startServing(config: Config, before?: (url: string) => void): Promise<void> {
  const store = openStore(config.databaseUrl, { ...config.store, groupCommit: config.groupCommit });
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  const running = await startServer(config, store);
  before?.(running.url);
  print({ url: running.url, graphiql: `${running.url}/graphql` });
  const days = config.historyRetentionDays;
  const retention = days === null ? null : startRetention({ store, days, logger: createLogger(config.logLevel) });
  const stop = async () => {
    await retention?.stop();
    await running.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  // Only with trusted documents: otherwise SIGHUP keeps its default (the process ends), as before.
  if (config.persistedDocuments) process.on('SIGHUP', () => void running.reloadPersistedDocuments());
}

export async function migrate(o: DatabaseOptions): Promise<void> {
  const config = configOf(o);
  await withStore(config, async () => print({ migrated: true, database: describeDatabaseForHumans(config.databaseUrl) }));
}

export function serve(o: DatabaseOptions & { host?: string; port?: string }): Promise<void> {
  return startServing(configOf(o));
}

export async function demo(o: DatabaseOptions & { host?: string; port?: string }): Promise<void> {
  const config = configOf(o);
  const corsOrigins = config.corsOrigins.length > 0 ? config.corsOrigins : DEMO_CORS_ORIGINS;
  const demoConfig = { ...config, databaseUrl: o.db ?? DEMO_DATABASE, corsOrigins };
  const target = describeDatabase(demoConfig.databaseUrl);
  if (target.dialect === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(`${target.path}${suffix}`, { force: true });
  const seeded = await withStore(demoConfig, (store) => seedDemo(store));
  await startServing(demoConfig, (url) => process.stderr.write(demoBanner(url, seeded, demoConfig.corsOrigins)));
}

export async function tenantsCreate(o: DatabaseOptions & { name?: string }): Promise<void> {
  await withStore(configOf(o), async (store) => print(await createTenant(store, required(o.name, '--name'))));
}

export async function usersCreate(o: DatabaseOptions & { username?: string; role?: string; tenant?: string; passwordStdin?: boolean }): Promise<void> {
  if (!o.passwordStdin) throw new UsageError('--password-stdin is required: pipe the password on standard input');
  const username = required(o.username, '--username');
  const role = required(o.role, '--role');
  const config = configOf(o);
  const password = await readStdin();
  await withStore(config, async (store) => print(await createUser(store, { username, role, password, tenant: o.tenant })));
}

export async function tokensCreate(o: DatabaseOptions & { username?: string; name?: string }): Promise<void> {
  await withStore(configOf(o), async (store) => print(await createToken(store, { username: required(o.username, '--username'), name: o.name })));
}

export async function fieldsCreate(
  o: DatabaseOptions & { name?: string; type?: string; maxLength?: string; options?: string; editable: boolean; disabled?: boolean; id?: string; tenant?: string },
): Promise<void> {
  const input = {
    name: required(o.name, '--name'),
    type: required(o.type, '--type'),
    maxLength: o.maxLength,
    options: o.options,
    editable: o.editable,
    enabled: !o.disabled,
    id: o.id,
    tenant: o.tenant,
  };
  await withStore(configOf(o), async (store) => print(await createField(store, input)));
}

export async function callsImport(file: string, o: DatabaseOptions & { tenant?: string }): Promise<void> {
  const progress = progressOn(process.stderr, 'importing');
  print(await withStore(configOf(o), (store) => importCalls(store, { file, tenant: o.tenant, progress })));
}

export async function callsExport(o: DatabaseOptions & { filter?: string; tenant?: string }): Promise<void> {
  const progress = progressOn(process.stderr, 'exporting');
  await withStore(configOf(o), (store) => exportCalls(store, { filter: o.filter, tenant: o.tenant, out: process.stdout, progress }));
}

export async function callsSetFields(o: DatabaseOptions & { filter?: string; set?: string[]; clear?: string[]; dryRun?: boolean; tenant?: string }): Promise<void> {
  const config = configOf(o);
  const progress = progressOn(process.stderr, o.dryRun ? 'checking' : 'editing');
  let started = false;
  const result = await withStore(config, (store) =>
    setFields(store, { filter: o.filter, set: o.set, clear: o.clear, dryRun: o.dryRun, tenant: o.tenant, limit: config.bulkEditLimit }, (done, total) => {
      if (!started) progress.start(total);
      started = true;
      progress.update(done);
    }),
  );
  if (started) progress.finish(o.dryRun ? 'checked the calls (dry run: nothing written)' : 'edited the calls');
  print(result);
}

export async function webhooksCreate(o: DatabaseOptions & { url?: string; field?: string[]; tenant?: string }): Promise<void> {
  const url = required(o.url, '--url');
  await withStore(configOf(o), async (store) => print(await createWebhook(store, { url, field: o.field, tenant: o.tenant })));
}

export async function webhooksList(o: DatabaseOptions & { tenant?: string }): Promise<void> {
  await withStore(configOf(o), async (store) => print(await listWebhooks(store, { tenant: o.tenant })));
}

export async function webhooksDeliveries(o: DatabaseOptions & { endpoint?: string; tenant?: string; first?: string; after?: string }): Promise<void> {
  const endpoint = required(o.endpoint, '--endpoint');
  const first = o.first === undefined ? undefined : /^\d+$/.test(o.first) ? Number(o.first) : NaN;
  if (Number.isNaN(first)) throw new UsageError('--first must be a whole number');
  await withStore(configOf(o), async (store) => print(await listWebhookDeliveries(store, { endpoint, tenant: o.tenant, first, after: o.after })));
}

type EndpointOptions = DatabaseOptions & { endpoint?: string; tenant?: string };

export async function webhooksUpdate(
  o: EndpointOptions & { url?: string; field?: string[]; allFields?: boolean; enable?: boolean; disable?: boolean },
): Promise<void> {
  const endpoint = required(o.endpoint, '--endpoint');
  await withStore(configOf(o), async (store) => print(await updateWebhook(store, { ...o, endpoint })));
}

export async function webhooksDelete(o: EndpointOptions): Promise<void> {
  const endpoint = required(o.endpoint, '--endpoint');
  await withStore(configOf(o), async (store) => print(await deleteWebhook(store, { endpoint, tenant: o.tenant })));
}

export async function webhooksRotateSecret(o: EndpointOptions & { overlapSeconds?: string }): Promise<void> {
  const endpoint = required(o.endpoint, '--endpoint');
  const overlapSeconds = o.overlapSeconds === undefined ? undefined : /^\d+$/.test(o.overlapSeconds) ? Number(o.overlapSeconds) : NaN;
  await withStore(configOf(o), async (store) => print(await rotateWebhookSecret(store, { endpoint, overlapSeconds, tenant: o.tenant })));
}

export async function webhooksTest(o: EndpointOptions): Promise<void> {
  const endpoint = required(o.endpoint, '--endpoint');
  await withStore(configOf(o), async (store) => print(await sendWebhookTest(store, { endpoint, tenant: o.tenant })));
}

export async function webhooksRedeliver(o: DatabaseOptions & { delivery?: string; tenant?: string }): Promise<void> {
  const delivery = required(o.delivery, '--delivery');
  await withStore(configOf(o), async (store) => print(await redeliverWebhook(store, { delivery, tenant: o.tenant })));
}

export async function seed(o: DatabaseOptions & { demo?: boolean; tenant?: string }): Promise<void> {
  if (!o.demo) throw new UsageError('seed needs --demo');
  await withStore(configOf(o), async (store) => print(await seedDemo(store, { tenant: o.tenant })));
}

export async function history(o: DatabaseOptions & { call?: string; field?: string; limit?: string; tenant?: string }): Promise<void> {
  await withStore(configOf(o), async (store) => printLines(await callHistory(store, { call: o.call, field: o.field, limit: o.limit, tenant: o.tenant })));
}

export async function changes(o: DatabaseOptions & { after?: string; limit?: string; tenant?: string }): Promise<void> {
  await withStore(configOf(o), async (store) => printLines(await changesAfter(store, { after: o.after, limit: o.limit, tenant: o.tenant })));
}

function demoBanner(url: string, seeded: Awaited<ReturnType<typeof seedDemo>>, corsOrigins: readonly string[]): string {
  const editor = seeded.users.find((u) => u.role === 'editor')!;
  return [
    '',
    `callgate demo: ${seeded.calls} calls, ${seeded.fields} custom fields (tenant "${seeded.tenant}")`,
    '',
    'API users (HTTP Basic):',
    ...seeded.users.map((u) => `  ${u.username.padEnd(8)} ${u.password}   (${u.role})`),
    `Bearer token for editor: ${seeded.token.token}`,
    '',
    `GraphiQL: ${url}/graphql   (log in as editor when the browser asks)`,
    `CORS: browser apps at ${corsOrigins.join(', ')} may call every route${corsOrigins === DEMO_CORS_ORIGINS ? ' (set CORS_ORIGINS to change)' : ''}`,
    '',
    'Try the REST shim:',
    `  curl -u editor:${editor.password} -X PUT -H 'Content-Type: application/json' \\`,
    `    -d '{"call": {"custom_fields": [{"name": "Payment status", "value": "Paid"}]}}' \\`,
    `    ${url}/api/v2/calls/${DEMO_CALL_ID}.json`,
    '',
  ].join('\n');
}

/** The driver's own words at the end of a cause chain, e.g. "connect ECONNREFUSED 127.0.0.1:5432". */
function rootCause(error: Error): string | undefined {
  let cause: unknown = error.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message.split('\n')[0] : undefined;
}

/** The one line to print for a failure that callgate explains itself (no stack), or null for an unexpected one. */
export function explainFailure(error: unknown): string | null {
  if (error instanceof StoreUnavailableError) {
    const reason = rootCause(error);
    return `${error.message}${reason ? ` (${reason})` : ''}`;
  }
  const known = error instanceof ConfigError || error instanceof DuplicateError || error instanceof StoreConfigError || error instanceof StoreLimitError;
  return known ? (error as Error).message : null;
}
