import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { CommandFailure, EXIT, UsageError } from './errors.js';

/**
 * callgate's command line: the commands, their options and help (commander).
 * Each command loads what it runs (run.ts, and through it the gateway) only
 * when it runs, so `callgate --help` and `--version` answer at once.
 */

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
const run = () => import('./run.js');

const DB_HELP = 'the database: a SQLite file path, or a postgres:// (postgresql://) URL (default: $DATABASE_URL, else ./data/callgate.sqlite)';
const TENANT_HELP = 'the tenant by name (default: "default")';

const EXIT_CODES = `
Exit codes:
  0  success
  1  failure: the command could not do what it was asked (the reason is on stderr)
  2  usage error: an unknown command or option, a missing or invalid value`;

/** A command with the options every command takes. */
function command(parent: Command, name: string, description: string): Command {
  return parent.command(name).description(description).option('--db <path-or-url>', DB_HELP);
}

function buildProgram(): Command {
  const program = new Command('callgate')
    .description('a GraphQL gateway for call records, with a byte-compatible REST shim for custom fields')
    .version(version, '-V, --version', 'print callgate\'s version')
    .helpOption('-h, --help', 'print help for the command')
    .helpCommand('help [command]', 'print help for a command')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `\nOutput is JSON on stdout (history and changes print one record per line); messages go to stderr.\n${EXIT_CODES}\n\nRun "callgate help <command>" or "callgate <command> --help" for a command's options.`,
    );

  command(program, 'migrate', 'apply database migrations').action(async (o) => (await run()).migrate(o));
  command(program, 'serve', 'start the gateway (migrates first)')
    .option('--port <port>', 'the port to listen on (default: $PORT, else 4000)')
    .option('--host <host>', 'the address to listen on (default: $HOST, else 127.0.0.1)')
    .action(async (o) => (await run()).serve(o));
  command(program, 'demo', 'recreate the demo database (./data/demo.sqlite), print credentials and serve it')
    .option('--port <port>', 'the port to listen on (default: $PORT, else 4000)')
    .option('--host <host>', 'the address to listen on (default: $HOST, else 127.0.0.1)')
    .action(async (o) => (await run()).demo(o));

  const tenants = program.command('tenants').description('tenants: each has its own calls, fields and users');
  command(tenants, 'create', 'create a tenant')
    .option('--name <name>', 'the tenant\'s name (required)')
    .action(async (o) => (await run()).tenantsCreate(o));

  const users = program.command('users').description('API users');
  command(users, 'create', 'create an API user; the password is read from stdin')
    .option('--username <username>', 'the user name, 1 to 64 characters without ":" (required)')
    .option('--role <role>', 'admin, editor or viewer (required)')
    .option('--tenant <name>', TENANT_HELP)
    .option('--password-stdin', 'read the password (8 characters or more) from stdin (required)')
    .action(async (o) => (await run()).usersCreate(o));

  const tokens = program.command('tokens').description('bearer tokens of API users');
  command(tokens, 'create', 'create a bearer token for a user; printed once, stored only as a hash')
    .option('--username <username>', 'the user the token acts as (required)')
    .option('--name <label>', 'a label for the token', 'cli')
    .action(async (o) => (await run()).tokensCreate(o));

  const fields = program.command('fields').description('custom field definitions');
  command(fields, 'create', 'create a custom field')
    .option('--name <name>', 'the field\'s name, unique in the tenant in any case (required)')
    .option('--type <type>', 'text, option, number, date, multiselect or boolean (required)')
    .option('--max-length <n>', 'the longest value a text field takes, in characters')
    .option('--options <a,b,c>', 'the choices of an option or multiselect field, comma-separated')
    .option('--no-editable', 'values are set by import only, never through the API')
    .option('--disabled', 'create the field disabled (hidden from reads, refused in writes)')
    .option('--id <uuid>', 'the field\'s id (default: a new UUID)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).fieldsCreate(o));

  const calls = program.command('calls').description('call records');
  command(calls, 'import', 'import calls from a JSON-lines file, all or nothing; progress on stderr')
    .argument('<file>', 'the file, or - for stdin: one call per line, {"call_id", "setup_time", ..., "custom_fields": [...]}')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (file: string, o) => (await run()).callsImport(file, o));
  command(calls, 'export', 'write calls as JSON lines in the import\'s format, oldest first, on stdout')
    .option('--filter <json>', 'only the calls matching this CallFilter, as in GraphQL, e.g. \'{"direction": "INBOUND", "customFields": [{"name": "Outcome", "equals": "Lost"}]}\'')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).callsExport(o));

  const webhooks = program.command('webhooks').description('webhook endpoints: signed deliveries of custom field changes (docs/webhooks.md)');
  command(webhooks, 'create', 'register an endpoint; prints it with its signing secret, shown this once')
    .option('--url <url>', 'where to POST events: https://, or http:// for a host in WEBHOOK_ALLOW_HTTP_HOSTS (required)')
    .option('--field <name-or-id...>', 'only changes of these fields (default: every field)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksCreate(o));
  command(webhooks, 'list', 'the tenant\'s endpoints').option('--tenant <name>', TENANT_HELP).action(async (o) => (await run()).webhooksList(o));
  command(webhooks, 'deliveries', 'an endpoint\'s recent deliveries with their attempts, newest first')
    .option('--endpoint <id>', 'the endpoint (required)')
    .option('--first <n>', 'the most deliveries to print')
    .option('--after <delivery-id>', 'continue after this delivery (an "id" of an earlier page)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksDeliveries(o));
  command(webhooks, 'update', 'change an endpoint: what is given changes, the rest stays; prints it')
    .option('--endpoint <id>', 'the endpoint (required)')
    .option('--url <url>', 'a new URL, checked as at creation')
    .option('--field <name-or-id...>', 'only changes of these fields from now on')
    .option('--all-fields', 'changes of every field from now on')
    .option('--enable', 'deliver again (clears the disabled reason)')
    .option('--disable', 'stop delivering')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksUpdate(o));
  command(webhooks, 'delete', 'delete an endpoint with its deliveries; prints it as it was')
    .option('--endpoint <id>', 'the endpoint (required)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksDelete(o));
  command(webhooks, 'rotate-secret', 'give an endpoint a new signing secret, shown this once; the old one keeps signing for the overlap')
    .option('--endpoint <id>', 'the endpoint (required)')
    .option('--overlap-seconds <n>', 'how long the old secret keeps signing, 0 to 604800', '86400')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksRotateSecret(o));
  command(webhooks, 'test', 'queue a signed webhook.test event for an endpoint; prints the delivery')
    .option('--endpoint <id>', 'the endpoint (required)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksTest(o));
  command(webhooks, 'redeliver', 'send a delivery again, due now, with the same event id; prints it')
    .option('--delivery <id>', 'the delivery, as `webhooks deliveries` shows it (required)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).webhooksRedeliver(o));

  command(calls, 'set-fields', 'set or clear custom fields on every call a filter matches, in batches, as setCustomFieldsOnCalls does')
    .option('--filter <json>', 'the calls: a CallFilter as in GraphQL (default: every call of the tenant)')
    .option('--set <Field=value...>', 'a value to set, by field name or id')
    .option('--clear <Field...>', 'a field to clear, by name or id')
    .option('--dry-run', 'count and show the first calls before and after, write nothing')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).callsSetFields(o));

  command(program, 'seed', 'add the demo data (1,000 calls, fields, users) to a database')
    .option('--demo', 'the demo data set (required: the only one there is)')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).seed(o));
  command(program, 'history', 'a call\'s change history, newest first, one record per line')
    .option('--call <uuid>', 'the call (required)')
    .option('--field <name-or-id>', 'only changes of this field (its id, or its name now or before a rename)')
    .option('--limit <n>', 'the most records to print, up to 1000', '50')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).history(o));
  command(program, 'changes', 'the tenant\'s change log after a sequence number, oldest first, one record per line')
    .option('--after <sequence>', 'print the records after this one (0: from the start)', '0')
    .option('--limit <n>', 'the most records to print, up to 10000', '100')
    .option('--tenant <name>', TENANT_HELP)
    .action(async (o) => (await run()).changes(o));

  // Every command reports its usage errors through main's catch, with exit code 2.
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ outputError: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}

/** Commander's message in callgate's words: `error: unknown option '--nmae'\n(Did you mean --name?)` -> one sentence. */
function usageMessage(error: CommanderError): string {
  const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
  const hint = rest.join(' ').replace(/^\((.*)\)$/, '$1').replace(/^Did you mean (\S+)\?$/, 'Did you mean "$1"?').trim();
  const sentence = first.charAt(0).toUpperCase() + first.slice(1).replace(/'([^']*)'/g, '"$1"');
  return hint ? `${sentence}. ${hint}` : sentence;
}

/** Prints why and exits at once: a failed command may leave a connection open that would keep the process alive. */
function fail(message: string, code: number, hint = ''): never {
  process.stderr.write(`callgate: ${message}${hint}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help, --version, help: already printed on stdout. No command, or a group without its subcommand
      // (`callgate fields`): its help already printed on stderr, as a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return;
      if (error.code === 'commander.help') {
        if (error.exitCode !== 0) process.exit(EXIT.usage);
        return;
      }
      return fail(usageMessage(error), EXIT.usage, '\nRun "callgate help" for the commands, or "callgate <command> --help" for their options.');
    }
    if (error instanceof UsageError) return fail(error.message, EXIT.usage);
    if (error instanceof CommandFailure) return fail(error.message, EXIT.failure);
    const explained = (await run()).explainFailure(error);
    fail(explained ?? (error instanceof Error ? (error.stack ?? error.message) : String(error)), EXIT.failure);
  }
}

await main(process.argv.slice(2));
