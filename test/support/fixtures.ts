import { randomUUID } from 'node:crypto';
import { VENDOR_EXAMPLE_FIELDS } from '../../src/core/vendor-examples.js';
import { hashApiToken, hashPassword, newApiToken } from '../../src/auth/credentials.js';
import { createApp, type AppDeps } from '../../src/http/app.js';
import type { UrlPolicy } from '../../src/core/webhooks.js';
import type { CallStore, NewCustomField } from '../../src/store/call-store.js';
import { decideImportedValues } from '../../src/core/change-set.js';
import { openTestStore, rawSql } from './database.js';
import { serve } from './http.js';
import { StatementLog } from './statement-log.js';
import { TEST_ORIGIN } from './origin.js';

export const PASSWORD = 'correct horse battery staple';
/** WEBHOOK_SECRET_KEY for tests (PostgreSQL needs one). */
export const TEST_WEBHOOK_KEY = Buffer.alloc(32, 7).toString('base64');
export const NOW = '2026-01-02T03:04:05.000Z';

let passwordHash: Promise<string> | undefined;
/** One scrypt hash per test process: hashing at full cost for every user would slow the suite down. */
const sharedPasswordHash = () => (passwordHash ??= hashPassword(PASSWORD));

export const FIELD = {
  paymentStatus: VENDOR_EXAMPLE_FIELDS[0].fieldId,
  callType: VENDOR_EXAMPLE_FIELDS[1].fieldId,
  notes: '00000000-0000-4000-8000-000000000001',
  amount: '00000000-0000-4000-8000-000000000002',
  followUp: '00000000-0000-4000-8000-000000000003',
  locked: '00000000-0000-4000-8000-000000000004',
  retired: '00000000-0000-4000-8000-000000000005',
  otherTenant: '00000000-0000-4000-8000-000000000006',
} as const;

export const CALL = {
  first: '11111111-1111-4111-8111-111111111111',
  second: '22222222-2222-4222-8222-222222222222',
  otherTenant: '33333333-3333-4333-8333-333333333333',
} as const;

const field = (f: Partial<NewCustomField> & Pick<NewCustomField, 'fieldId' | 'name' | 'type'>, tenantId: string): NewCustomField & { now: string } => ({
  tenantId,
  description: null,
  options: null,
  maxLength: null,
  editable: true,
  enabled: true,
  now: NOW,
  ...f,
});

export interface World {
  store: CallStore;
  tenantId: string;
  tokens: Record<'admin' | 'editor' | 'viewer' | 'otherEditor', string>;
  /** One SQL statement on the world's database behind the store's back (`?` placeholders, portable SQL). */
  sql: (statement: string, ...params: unknown[]) => Promise<Record<string, unknown>[]>;
  /** The SQL statements the store runs, when asked to record them. */
  statements: StatementLog;
}

/**
 * A fresh database (in-memory SQLite, or a new schema on TEST_DATABASE_URL,
 * dropped when the test ends), migrated with the real migrations, holding two
 * tenants: "default" (users admin, editor, viewer; the vendor's two fields and
 * one field of each kind; two calls) and "other" (a user, a field and a call).
 */
export async function createWorld(options: { url?: string } = {}): Promise<World> {
  const statements = new StatementLog();
  const store = await openTestStore({ url: options.url, onStatement: statements.record });
  return { store, statements, sql: (statement, ...params) => rawSql(store, statement, params), ...(await seedWorld(store)) };
}

/** Fills a migrated, empty store with the world described at createWorld. */
export async function seedWorld(store: CallStore): Promise<Omit<World, 'store' | 'statements' | 'sql'>> {
  const hash = await sharedPasswordHash();
  const tenant = await store.createTenant({ id: randomUUID(), name: 'default', now: NOW });
  const other = await store.createTenant({ id: randomUUID(), name: 'other', now: NOW });
  const tokens = {} as World['tokens'];
  for (const [username, role, tenantId] of [
    ['admin', 'admin', tenant.id],
    ['editor', 'editor', tenant.id],
    ['viewer', 'viewer', tenant.id],
    ['otherEditor', 'editor', other.id],
  ] as const) {
    const userId = randomUUID();
    await store.createApiUser({ id: userId, tenantId, username, passwordHash: hash, role, now: NOW });
    const token = newApiToken();
    await store.createApiToken({ id: randomUUID(), userId, name: 'test', tokenHash: hashApiToken(token), now: NOW });
    tokens[username] = token;
  }
  const fields: (NewCustomField & { now: string })[] = [
    field({ fieldId: FIELD.paymentStatus, name: 'Payment status', type: 'option', options: ['Unknown', 'Paid', 'Unpaid'] }, tenant.id),
    field({ fieldId: FIELD.callType, name: 'Call type', type: 'text' }, tenant.id),
    field({ fieldId: FIELD.notes, name: 'Notes', type: 'text', maxLength: 10 }, tenant.id),
    field({ fieldId: FIELD.amount, name: 'Amount', type: 'number' }, tenant.id),
    field({ fieldId: FIELD.followUp, name: 'Follow-up date', type: 'date' }, tenant.id),
    field({ fieldId: FIELD.locked, name: 'Locked', type: 'text', editable: false }, tenant.id),
    field({ fieldId: FIELD.retired, name: 'Retired', type: 'text', enabled: false }, tenant.id),
    field({ fieldId: FIELD.otherTenant, name: 'Secret', type: 'text' }, other.id),
  ];
  for (const f of fields) await store.createCustomField(f);
  const decide = decideImportedValues;
  await store.importCalls({ origin: TEST_ORIGIN,
    tenantId: tenant.id,
    now: NOW,
    decide,
    calls: [
      {
        call: { callId: CALL.first, setupTime: '2026-01-01T09:00:00.000Z', fromNumber: '+4930111', toNumber: '+4930222', direction: 'inbound', duration: 61 },
        customFields: [
          { fieldId: FIELD.callType, value: 'Support call' },
          { fieldId: FIELD.notes, value: 'keep me' },
          { fieldId: FIELD.locked, value: 'immutable' },
        ],
      },
      {
        call: { callId: CALL.second, setupTime: '2026-01-01T10:00:00.000Z', fromNumber: '+4930333', toNumber: '+4930444', direction: 'outbound', duration: 5 },
        customFields: [],
      },
    ],
  });
  await store.importCalls({ origin: TEST_ORIGIN,
    tenantId: other.id,
    now: NOW,
    decide,
    calls: [
      {
        call: { callId: CALL.otherTenant, setupTime: '2026-01-01T11:00:00.000Z', fromNumber: '+1555', toNumber: '+1666', direction: 'unknown', duration: 0 },
        customFields: [{ fieldId: FIELD.otherTenant, value: 'hidden' }],
      },
    ],
  });
  return { tenantId: tenant.id, tokens };
}

export const basic = (username: string, password = PASSWORD) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** An app over a fresh world, served on a real port by production's Node server, with helpers to call it. */
export async function createTestApp(
  options: Pick<AppDeps, 'compiledExecution' | 'persistedDocuments' | 'clock' | 'maxSubscriptionsPerUser' | 'maxBufferedEvents' | 'recheckCredentialsMs' | 'bulkEditLimit'> & {
    /** The operator's webhook URL policy; by default https and public addresses only. */
    webhookPolicy?: UrlPolicy;
  } = {},
) {
  const world = await createWorld();
  const { webhookPolicy, ...deps } = options;
  const webhooks = { store: world.store.webhooks!({ secretKey: TEST_WEBHOOK_KEY }), policy: webhookPolicy ?? { allowHttpHosts: [], allowPrivate: false } };
  const app = createApp({ store: world.store, logger: false, clock: () => new Date(NOW), webhooks, ...deps });
  const { fetch, url } = await serve(app);
  const bearer = (who: keyof World['tokens']) => `Bearer ${world.tokens[who]}`;

  async function graphql<T = any>(query: string, variables: Record<string, unknown> = {}, as: keyof World['tokens'] = 'editor') {
    const response = await fetch(
      new Request('http://callgate.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: bearer(as) },
        body: JSON.stringify({ query, variables }),
      }),
    );
    return { status: response.status, body: (await response.json()) as { data?: T; errors?: { message: string }[] } };
  }

  async function rest(method: string, path: string, options: { body?: unknown; raw?: string; as?: keyof World['tokens']; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { authorization: bearer(options.as ?? 'editor'), ...options.headers };
    let body: string | undefined = options.raw;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
    const response = await fetch(new Request(`http://callgate.test${path}`, { method, headers, body }));
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
  }

  /** What is stored for a call, straight from the store: field id -> value. */
  async function stored(callId: string, tenantId = world.tenantId) {
    const found = await world.store.getCall(tenantId, callId);
    if (!found) return null;
    return { version: found.call.version, values: Object.fromEntries(found.customFields.map((v) => [v.fieldId, v.value])) };
  }

  return { ...world, app, fetch, url, graphql, rest, stored, bearer, webhooks: webhooks.store };
}
