/**
 * The benchmark's PostgreSQL side: a template schema seeded through
 * callgate's own migrations (its CLI), a fresh copy of it for every server
 * that is measured, the server's settings and counters for the report, and
 * dropping every schema of this run afterwards, also when it fails or is
 * interrupted.
 *
 * Schemas are named cg_bench_<runner pid>_…; a run that was killed outright
 * leaves its schemas behind, and the next run drops them when no process has
 * that pid any more.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import pg from 'pg';
import { PgCallStore } from '../src/store/pg/pg-store.js';
import { cpuMicros, ROOT } from './processes.js';
import { CLI, type SeedData } from './seed.js';
import { SEED_FIELDS } from './workload.js';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Copied in this order (foreign keys); `select *` is safe because every schema comes from the same migrations. */
const TABLES = ['tenants', 'api_users', 'api_tokens', 'custom_fields', 'calls', 'call_custom_field_values'] as const;

/** The server settings the report quotes, read with SHOW. */
const SETTINGS = [
  'server_version',
  'synchronous_commit',
  'commit_delay',
  'commit_siblings',
  'fsync',
  'wal_sync_method',
  'full_page_writes',
  'wal_writer_delay',
  'shared_buffers',
  'max_connections',
  'checkpoint_timeout',
  'max_wal_size',
] as const;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A schema of this run, and the application_name its servers' connections carry (to find their backends). */
export interface SchemaCopy {
  schema: string;
  url: string;
  applicationName: string;
}

export class BenchPostgres {
  /** cg_bench_<pid>: every schema and application_name of this run starts with it. */
  readonly prefix = `cg_bench_${process.pid}`;
  readonly template = `${this.prefix}_template`;
  private readonly schemas = new Set<string>();
  private copies = 0;
  /** Copies run one after another: they share the admin connection, and VACUUM cannot run inside another copy's transaction. */
  private copying: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly url: string,
    private readonly admin: pg.Client,
  ) {}

  static async open(url: string): Promise<BenchPostgres> {
    const admin = new pg.Client({ connectionString: url, application_name: 'cg_bench_runner' });
    admin.on('error', () => {});
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(`PostgreSQL at ${url} cannot be reached (${error instanceof Error ? error.message : String(error)}); set BENCH_DATABASE_URL`);
    }
    const bench = new BenchPostgres(url, admin);
    await bench.dropLeftovers();
    return bench;
  }

  /** The URL that selects `schema` (callgate's `?schema=`) and names the connections. */
  urlFor(schema: string, applicationName = schema): string {
    const url = new URL(this.url);
    url.searchParams.set('schema', schema);
    url.searchParams.set('application_name', applicationName);
    return url.toString();
  }

  /** Schemas of earlier runs whose runner is gone (killed before it could drop them). */
  private async dropLeftovers(): Promise<void> {
    const { rows } = await this.admin.query<{ nspname: string }>("select nspname from pg_namespace where nspname like 'cg\\_bench\\_%'");
    const stale = rows.map((r) => r.nspname).filter((name) => {
      const pid = Number(/^cg_bench_(\d+)_/.exec(name)?.[1]);
      return Number.isInteger(pid) && pid !== process.pid && !alive(pid);
    });
    for (const schema of stale) await this.admin.query(`drop schema if exists ${quote(schema)} cascade`);
  }

  /** The template: callgate's migrations through its CLI, then the seed data in one transaction. */
  async seedTemplate(data: SeedData): Promise<void> {
    this.schemas.add(this.template);
    execFileSync(process.execPath, [CLI, 'migrate'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DATABASE_URL: this.urlFor(this.template) },
    });
    const client = new pg.Client({ connectionString: this.url, options: `-c search_path=${this.template}` });
    await client.connect();
    try {
      const { now, tenantId } = data;
      await client.query('begin');
      await client.query('insert into tenants (id, name, created_at) values ($1, $2, $3)', [tenantId, data.manifest.tenant, now]);
      for (const u of data.users) {
        await client.query(
          'insert into api_users (id, tenant_id, username, password_hash, role, disabled, created_at) values ($1, $2, $3, $4, $5, false, $6)',
          [u.id, tenantId, u.username, u.passwordHash, u.role, now],
        );
      }
      for (const t of data.tokens) {
        await client.query('insert into api_tokens (id, user_id, name, token_hash, created_at, revoked_at) values ($1, $2, $3, $4, $5, null)', [
          t.id,
          t.userId,
          'bench',
          t.tokenHash,
          now,
        ]);
      }
      for (const f of SEED_FIELDS) {
        await client.query(
          'insert into custom_fields (field_id, tenant_id, name, description, type, options, max_length, editable, enabled, created_at) ' +
            'values ($1, $2, $3, null, $4, $5::jsonb, $6, $7, $8, $9)',
          [f.fieldId, tenantId, f.name, f.type, f.options ? JSON.stringify(f.options) : null, f.maxLength, f.editable, f.enabled, now],
        );
      }
      const calls = data.calls;
      await client.query(
        'insert into calls (call_id, tenant_id, setup_time, from_number, to_number, direction, duration, version) ' +
          'select c.id, $1, c.setup_time, c.from_number, c.to_number, c.direction, c.duration, 1 ' +
          'from unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::int[]) as c(id, setup_time, from_number, to_number, direction, duration)',
        [
          tenantId,
          calls.map((c) => c.callId),
          calls.map((c) => c.setupTime),
          calls.map((c) => c.fromNumber),
          calls.map((c) => c.toNumber),
          calls.map((c) => c.direction),
          calls.map((c) => c.duration),
        ],
      );
      const values = calls.flatMap((c) => c.values.map((v) => ({ callId: c.callId, ...v })));
      await client.query(
        'insert into call_custom_field_values (call_id, field_id, value, updated_at, updated_by) ' +
          'select v.call_id, v.field_id, v.value, $1, null from unnest($2::uuid[], $3::uuid[], $4::text[]) as v(call_id, field_id, value)',
        [now, values.map((v) => v.callId), values.map((v) => v.fieldId), values.map((v) => v.value)],
      );
      await client.query('commit');
    } finally {
      await client.end();
    }
  }

  /**
   * A new schema with the template's rows: callgate's migrations (PgCallStore.migrate, what `callgate
   * migrate` runs), the rows copied table by table, then VACUUM ANALYZE so that every copy starts with
   * the same statistics, visibility map and hint bits instead of leaving that work to the first requests.
   */
  copy(): Promise<SchemaCopy> {
    const next = this.copying.then(() => this.copyNow());
    this.copying = next.catch(() => {});
    return next;
  }

  private async copyNow(): Promise<SchemaCopy> {
    const schema = `${this.prefix}_r${++this.copies}`;
    this.schemas.add(schema);
    const store = new PgCallStore({ url: this.urlFor(schema, this.prefix) });
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    await this.admin.query('begin');
    for (const table of TABLES) {
      await this.admin.query(`insert into ${quote(schema)}.${quote(table)} select * from ${quote(this.template)}.${quote(table)}`);
    }
    await this.admin.query('commit');
    for (const table of TABLES) await this.admin.query(`vacuum (analyze) ${quote(schema)}.${quote(table)}`);
    return { schema, url: this.urlFor(schema), applicationName: schema };
  }

  /** Backend processes serving connections named `applicationName`. */
  async backendPids(applicationName: string): Promise<number[]> {
    const { rows } = await this.admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [applicationName]);
    return rows.map((r) => r.pid);
  }

  /** User + system CPU of those backends so far, in microseconds, by backend pid. */
  async backendCpu(applicationName: string): Promise<Map<number, number>> {
    const cpu = new Map<number, number>();
    for (const pid of await this.backendPids(applicationName)) {
      try {
        cpu.set(pid, cpuMicros(pid));
      } catch {
        // exited meanwhile
      }
    }
    return cpu;
  }

  /**
   * WAL syncs of the whole cluster so far (pg_stat_wal.wal_sync): other databases' commits count too. A busy
   * backend reports its counters at most once a second, so a reading lags by up to a second.
   */
  async walSyncs(): Promise<number> {
    const { rows } = await this.admin.query<{ n: string }>('select wal_sync::text as n from pg_stat_wal');
    return Number(rows[0]!.n);
  }

  /** How many change records a schema holds (--compare-change-log checks that each server wrote them, or none). */
  async changeRecords(schema: string): Promise<number> {
    const { rows } = await this.admin.query<{ n: string }>(`select count(*)::text as n from ${quote(schema)}.call_changes`);
    return Number(rows[0]!.n);
  }

  async settings(): Promise<Record<(typeof SETTINGS)[number], string>> {
    const out: Record<string, string> = {};
    for (const name of SETTINGS) out[name] = (await this.admin.query<Record<string, string>>(`show ${name}`)).rows[0]![name]!;
    return out as Record<(typeof SETTINGS)[number], string>;
  }

  /** Drops a schema, first ending any connection still named after it (a copy's servers are stopped by then). */
  async drop(schema: string): Promise<void> {
    await this.admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [schema]);
    await this.admin.query(`drop schema if exists ${quote(schema)} cascade`);
    this.schemas.delete(schema);
  }

  /** Ends this run's connections (servers that were killed) and drops every schema of this run. */
  async dropAll(): Promise<void> {
    await this.admin.query("select pg_terminate_backend(pid) from pg_stat_activity where left(application_name, length($1)) = $1 and pid <> pg_backend_pid()", [this.prefix]);
    for (const schema of [...this.schemas]) await this.drop(schema);
  }

  /** dropAll for a process that is exiting (no event loop left): a short-lived node process does it. */
  dropAllSync(): void {
    if (this.schemas.size === 0) return;
    const script = `
      import pg from 'pg';
      const client = new pg.Client({ connectionString: process.env.BENCH_DROP_URL });
      await client.connect();
      await client.query("set lock_timeout = '5s'");
      await client.query("select pg_terminate_backend(pid) from pg_stat_activity where left(application_name, length($1)) = $1 and pid <> pg_backend_pid()", [process.env.BENCH_DROP_PREFIX]);
      for (const schema of process.env.BENCH_DROP_SCHEMAS.split(',')) await client.query('drop schema if exists "' + schema + '" cascade');
      await client.end();`;
    spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 30_000,
      env: { ...process.env, BENCH_DROP_URL: this.url, BENCH_DROP_PREFIX: this.prefix, BENCH_DROP_SCHEMAS: [...this.schemas].join(',') },
    });
    this.schemas.clear();
  }

  async close(): Promise<void> {
    await this.admin.end().catch(() => {});
  }
}
