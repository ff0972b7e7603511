import { rmSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEMO_CALL_ID } from '../core/vendor-examples.js';
import { ConfigError, type Config } from '../http/config.js';
import { createLogger } from '../http/logger.js';
import { readConfig, startServer } from '../http/server.js';
import { DuplicateError, StoreConfigError, StoreUnavailableError, type CallStore } from '../store/call-store.js';
import { describeDatabase, describeDatabaseForHumans, openStore } from '../store/open-store.js';
import { startRetention } from '../store/retention.js';
import { createField, createTenant, createToken, createUser, importCalls, seedDemo, UsageError } from './commands.js';
import { callHistory, changesAfter } from './history.js';

const USAGE = `callgate: a GraphQL gateway for call records

Usage: callgate <command> [options]      (every command takes --db <path | postgres://URL>)

  migrate                                   apply database migrations
  serve [--port 4000] [--host 127.0.0.1]    start the gateway (migrates first)
  demo [--port 4000]                        fresh demo database, print credentials, serve
  tenants create --name <name>
  users create --username <u> --role admin|editor|viewer [--tenant <name>] --password-stdin
  tokens create --username <u> [--name <label>]
  fields create --name <n> --type text|option|number|date|multiselect|boolean [--max-length N] [--options a,b,c]
                [--no-editable] [--disabled] [--id <uuid>] [--tenant <name>]
  calls import <file.jsonl | -> [--tenant <name>]
  seed --demo [--tenant <name>]
  history --call <id> [--field <name or id>] [--limit 50] [--tenant <name>]
                                            a call's change history, newest first (--limit up to 1000)
  changes [--after 0] [--limit 100] [--tenant <name>]
                                            the tenant's change log after a sequence number, oldest
                                            first (--limit up to 10000)

--db defaults to $DATABASE_URL, else ./data/callgate.sqlite; a postgres:// or postgresql:// URL
selects PostgreSQL. Output is JSON on stdout; history and changes print one record per line.`;

const DEMO_DATABASE = './data/demo.sqlite';
/** The usual local dev servers' origins (Vite, then Create React App / Next.js), allowed by `demo` unless CORS_ORIGINS is set. */
const DEMO_CORS_ORIGINS = ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:3000', 'http://127.0.0.1:3000'];

const OPTIONS = {
  db: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  name: { type: 'string' },
  username: { type: 'string' },
  role: { type: 'string' },
  tenant: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  type: { type: 'string' },
  'max-length': { type: 'string' },
  options: { type: 'string' },
  'no-editable': { type: 'boolean' },
  disabled: { type: 'boolean' },
  id: { type: 'string' },
  demo: { type: 'boolean' },
  call: { type: 'string' },
  field: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

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

async function withStore<T>(config: Config, run: (store: CallStore) => Promise<T>): Promise<T> {
  const store = openStore(config.databaseUrl, { ...config.store, groupCommit: config.groupCommit });
  try {
    await store.migrate();
    return await run(store);
  } finally {
    await store.close();
  }
}

async function serve(config: Config, before?: (url: string) => void): Promise<void> {
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

async function main(argv: string[]): Promise<void> {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, sub, ...rest] = positionals;
  if (v.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    if (!command && !v.help) process.exitCode = 1;
    return;
  }
  const config = readConfig({ databaseUrl: v.db, host: v.host, port: portFrom(v.port) });
  const topic = sub ? `${command} ${sub}` : command;

  switch (topic) {
    case 'migrate':
      return withStore(config, async () => print({ migrated: true, database: describeDatabaseForHumans(config.databaseUrl) }));
    case 'serve':
      return serve(config);
    case 'demo': {
      const corsOrigins = config.corsOrigins.length > 0 ? config.corsOrigins : DEMO_CORS_ORIGINS;
      const demoConfig = { ...config, databaseUrl: v.db ?? DEMO_DATABASE, corsOrigins };
      const target = describeDatabase(demoConfig.databaseUrl);
      if (target.dialect === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(`${target.path}${suffix}`, { force: true });
      const seeded = await withStore(demoConfig, (store) => seedDemo(store));
      return serve(demoConfig, (url) => process.stderr.write(demoBanner(url, seeded, demoConfig.corsOrigins)));
    }
    case 'tenants create':
      return withStore(config, async (store) => print(await createTenant(store, required(v.name, '--name'))));
    case 'users create': {
      if (!v['password-stdin']) throw new UsageError('--password-stdin is required: pipe the password on standard input');
      const username = required(v.username, '--username');
      const role = required(v.role, '--role');
      const password = await readStdin();
      return withStore(config, async (store) => print(await createUser(store, { username, role, password, tenant: v.tenant })));
    }
    case 'tokens create':
      return withStore(config, async (store) => print(await createToken(store, { username: required(v.username, '--username'), name: v.name })));
    case 'fields create':
      return withStore(config, async (store) =>
        print(
          await createField(store, {
            name: required(v.name, '--name'),
            type: required(v.type, '--type'),
            maxLength: v['max-length'],
            options: v.options,
            editable: !v['no-editable'],
            enabled: !v.disabled,
            id: v.id,
            tenant: v.tenant,
          }),
        ),
      );
    case 'calls import': {
      const file = required(rest[0], 'The file to import (or - for stdin)');
      const progress = process.stderr.isTTY ? (n: number) => process.stderr.write(`\rimported ${n} calls`) : undefined;
      const result = await withStore(config, (store) => importCalls(store, { file, tenant: v.tenant, progress }));
      if (progress) process.stderr.write('\n');
      return print(result);
    }
    case 'seed': {
      if (!v.demo) throw new UsageError('seed needs --demo');
      return withStore(config, async (store) => print(await seedDemo(store, { tenant: v.tenant })));
    }
    case 'history':
      return withStore(config, async (store) => printLines(await callHistory(store, { call: v.call, field: v.field, limit: v.limit, tenant: v.tenant })));
    case 'changes':
      return withStore(config, async (store) => printLines(await changesAfter(store, { after: v.after, limit: v.limit, tenant: v.tenant })));
    default:
      throw new UsageError(`Unknown command "${topic}". Run callgate --help`);
  }
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

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof StoreUnavailableError) {
    const reason = rootCause(error);
    process.stderr.write(`callgate: ${error.message}${reason ? ` (${reason})` : ''}\n`);
    process.exit(1);
  }
  const known = error instanceof UsageError || error instanceof ConfigError || error instanceof DuplicateError || error instanceof StoreConfigError;
  const message = known ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  const argError = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`callgate: ${argError ? (error as Error).message : message}\n`);
  process.exit(1);
});
