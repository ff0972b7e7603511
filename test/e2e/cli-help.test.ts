import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The command line explains itself: versions, help for every command, usage errors in callgate's words, exit codes. */
describe('callgate CLI help and usage errors', { timeout: 60_000 }, () => {
  it.concurrent.each([['--version'], ['-V']])('%s prints the version alone, exit code 0', async (flag) => {
    expect(await runCli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.concurrent.each([[['help']], [['--help']], [['-h']]])('%j prints every command and the exit codes on stdout', async (args) => {
    const result = await runCli(args);
    expect(result.code).toBe(0);
    for (const command of ['migrate', 'serve', 'demo', 'tenants', 'users', 'tokens', 'fields', 'calls', 'seed', 'history', 'changes']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(result.stdout).toContain('2  usage error');
    expect(result.stderr).toBe('');
  });

  it.concurrent.each([
    [['help', 'history'], 'Usage: callgate history [options]', ['--call <uuid>', '--limit <n>', '(default: "50")', '--db <path-or-url>']],
    [['history', '--help'], 'Usage: callgate history [options]', ['--field <name-or-id>', '--tenant <name>']],
    [['fields', 'create', '--help'], 'Usage: callgate fields create [options]', ['--type <type>', '--max-length <n>', '--no-editable', '--options <a,b,c>']],
    [['help', 'fields'], 'Usage: callgate fields [options] [command]', ['create [options]  create a custom field']],
    [['calls', 'import', '--help'], 'Usage: callgate calls import [options] <file>', ['- for stdin', '--tenant <name>']],
    [['calls', 'export', '--help'], 'Usage: callgate calls export [options]', ['--filter <json>', 'CallFilter', '--tenant <name>']],
    [['serve', '--help'], 'Usage: callgate serve [options]', ['--port <port>', '--host <host>', 'else 4000']],
    [['changes', '--help'], 'Usage: callgate changes [options]', ['--after <sequence>', '(default: "0")', 'up to 10000']],
  ])('%j prints that command\'s options with their meaning and defaults', async (args, usage, options) => {
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(usage);
    for (const option of options) expect(result.stdout).toContain(option);
  });

  it.concurrent.each([
    [['feilds', 'create'], 'callgate: Unknown command "feilds". Did you mean "fields"?'],
    [['fields', 'craete'], 'callgate: Unknown command "craete". Did you mean "create"?'],
    [['fields', 'create', '--nmae', 'X'], 'callgate: Unknown option "--nmae". Did you mean "--name"?'],
    [['history', '--limt', '5'], 'callgate: Unknown option "--limt". Did you mean "--limit"?'],
    [['calls', 'import'], 'callgate: Missing required argument "file"'],
    [['migrate', 'now'], 'callgate: Too many arguments for "migrate"'],
    [['serve', '--port'], 'callgate: Option "--port <port>" argument missing'],
  ])('%j names the mistake and the nearest match, exit code 2, and touches no database', async (args, message) => {
    const result = await runCli(args, { env: { DATABASE_URL: '/nonexistent/dir/never-created.sqlite' } });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toEqual(message.includes('Did you mean') ? message : expect.stringContaining(message));
    expect(result.stderr).toContain('callgate help');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
  });

  it.concurrent.each([[[]], [['fields']]])('%j without its command prints the help on stderr, exit code 2', async (args) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: callgate');
    expect(result.stdout).toBe('');
  });
});
