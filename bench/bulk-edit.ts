/**
 * A bulk edit of 10,000 calls on SQLite (a file, group commit on, as served)
 * or PostgreSQL (a fresh schema, dropped afterwards) through
 * `setCustomFieldsOnCalls` over HTTP, while one client keeps sending
 * single-call REST PUTs to another call; both measured in one run. Targets
 * (issue 21, on SQLite): the bulk edit under 10 s, the PUTs' p99 under 250 ms.
 *
 *   npx tsx bench/bulk-edit.ts                      # writes bench/results/<date>-bulk-edit.md
 *   npx tsx bench/bulk-edit.ts --store pg           # writes bench/results/<date>-bulk-edit-pg.md
 *   npx tsx bench/bulk-edit.ts --calls 2000 --out /tmp/bulk.md
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { hashApiToken, newApiToken } from '../src/auth/credentials.js';
import { cliOrigin } from '../src/core/change-log.js';
import { decideImportedValues } from '../src/core/change-set.js';
import { createApp } from '../src/http/app.js';
import { createNodeServer } from '../src/http/server.js';
import { openStore } from '../src/store/open-store.js';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    store: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    out: { type: 'string' },
  },
});
const onPostgres = args.store === 'pg';
if (!onPostgres && args.store !== 'sqlite') throw new Error('--store is sqlite or pg');
const out = args.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-bulk-edit${onPostgres ? '-pg' : ''}.md`;
const CALLS = Number(args.calls);
const FIELD = randomUUID();
const OTHER = randomUUID();
const now = new Date().toISOString();

const dir = mkdtempSync(join(tmpdir(), 'callgate-bulk-'));
const schema = `bench_bulk_${randomUUID().slice(0, 8)}`;
const pgUrl = new URL(args['database-url']);
pgUrl.searchParams.set('schema', schema);
const store = openStore(onPostgres ? pgUrl.toString() : `sqlite:${join(dir, 'bench.db')}`);
await store.migrate();
const tenant = await store.createTenant({ id: randomUUID(), name: 'default', now });
const userId = randomUUID();
await store.createApiUser({ id: userId, tenantId: tenant.id, username: 'editor', passwordHash: 'x', role: 'editor', now });
const token = newApiToken();
await store.createApiToken({ id: randomUUID(), userId, name: 'bench', tokenHash: hashApiToken(token), now });
await store.createCustomField({ fieldId: FIELD, tenantId: tenant.id, name: 'Outcome', description: null, type: 'text', options: null, maxLength: null, editable: true, enabled: true, now });
const callIds = Array.from({ length: CALLS + 1 }, () => randomUUID());
await store.importCalls({
  tenantId: tenant.id,
  now,
  origin: cliOrigin('import'),
  decide: decideImportedValues,
  calls: callIds.map((callId, n) => ({
    call: { callId, setupTime: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(), fromNumber: '+1555', toNumber: '+1666', direction: 'inbound', duration: 60 },
    customFields: [{ fieldId: FIELD, value: n === CALLS ? 'single' : 'Open' }],
  })),
});
const single = callIds[CALLS]!;

const app = createApp({ store, logger: false });
const server = createNodeServer(app);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

let bulkDone = false;
const latencies: number[] = [];
async function writer() {
  let n = 0;
  while (!bulkDone) {
    const started = performance.now();
    const response = await fetch(`${url}/api/v2/calls/${single}.json`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ call: { custom_fields: [{ name: 'Outcome', value: `single ${n++}` }] } }),
    });
    await response.text();
    if (response.status !== 200) throw new Error(`PUT answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
}

const writing = writer();
await new Promise((resolve) => setTimeout(resolve, 200));
const started = performance.now();
const response = await fetch(`${url}/graphql`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    query: `mutation { setCustomFieldsOnCalls(target: { filter: { customFields: [{ name: "Outcome", equals: "Open" }] } }, customFields: [{ name: "Outcome", value: "Lost" }]) {
      __typename ... on SetCustomFieldsOnCallsSuccess { matched changed unchanged } ... on Error { message } } }`,
  }),
});
const body = (await response.json()) as { data: { setCustomFieldsOnCalls: { matched?: number; changed?: number } } };
const bulkMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, 200));
bulkDone = true;
await writing;
server.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
if (onPostgres) await dropSchema();

const result = body.data.setCustomFieldsOnCalls;
if (result.changed !== CALLS) throw new Error(`Bulk edit answered ${JSON.stringify(body)}`);
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const where = onPostgres ? 'PostgreSQL (local, one instance, a fresh schema)' : 'SQLite file, group commit on, one process';
const report = `# Bulk edit on ${onPostgres ? 'PostgreSQL' : 'SQLite'} with a concurrent single-call writer (${new Date().toISOString().slice(0, 10)})

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}. ${where}.
\`npx tsx bench/bulk-edit.ts --calls ${CALLS}${onPostgres ? ' --store pg' : ''}\`: \`setCustomFieldsOnCalls\` by filter over HTTP (batches of 200 calls, each one transaction),
while one client sends REST PUTs to another call one after the other.

| measure | value | target |
| --- | --- | --- |
| bulk edit of ${CALLS} calls (matched ${result.matched}, changed ${result.changed}) | ${(bulkMs / 1000).toFixed(2)} s | < 10 s |
| concurrent PUTs | ${latencies.length} | |
| PUT p50 | ${pct(50).toFixed(1)} ms | |
| PUT p99 | ${pct(99).toFixed(1)} ms | < 250 ms |
| PUT max | ${sorted.at(-1)!.toFixed(1)} ms | |
`;
writeFileSync(out, report);
console.log(report);

async function dropSchema(): Promise<void> {
  const client = new pg.Client({ connectionString: args['database-url'] });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}
