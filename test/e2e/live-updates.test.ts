import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { SqliteCallStore } from '../../src/store/sqlite/sqlite-store.js';
import { adminClient, freshDatabaseUrl, STORE_UNDER_TEST, freshSchema, onCleanup, onPostgres, openTestStore, POSTGRES_ONLY } from '../support/database.js';
import { CALL, createWorld, FIELD, seedWorld, type World } from '../support/fixtures.js';
import { startCliServer } from '../support/cli.js';
import { serve } from '../support/http.js';
import { subscribeSse } from '../support/sse-client.js';

const CALL_CHANGES = /* GraphQL */ `
  subscription Live($after: String) {
    callChanges(after: $after) { cursor channel call { id version } changes { newValue } }
  }
`;

const SET = /* GraphQL */ `
  mutation Set($callId: ID!, $value: String) {
    setCallCustomFields(callId: $callId, customFields: [{ fieldId: "${FIELD.notes}", value: $value }]) { __typename }
  }
`;

/** An instance of the gateway on `store`, served on a real port, closed at cleanup. */
async function instance(store: World['store']) {
  const app = createApp({ store, logger: false });
  const served = await serve(app);
  onCleanup(async () => {
    await app.closeSubscriptions();
    await served.close();
  });
  return { app, url: served.url };
}

async function twoInstances(urlOrStores: { a: World['store']; b: World['store'] }, world: Omit<World, 'store' | 'statements' | 'sql'>) {
  const a = await instance(urlOrStores.a);
  const b = await instance(urlOrStores.b);
  const auth = { authorization: `Bearer ${world.tokens.editor}` };
  const setNotes = async (value: string, through = a.url) => {
    const response = await fetch(`${through}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: SET, variables: { callId: CALL.first, value } }),
    });
    expect(((await response.json()) as any).data.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');
  };
  const subscribe = async (on: string, variables: Record<string, unknown> = {}) => {
    const s = await subscribeSse(on, { query: CALL_CHANGES, variables }, auth);
    onCleanup(() => s.close());
    return s;
  };
  return { a, b, auth, setNotes, subscribe };
}

describe.skipIf(!onPostgres)(`live updates across two instances on one PostgreSQL database ${POSTGRES_ONLY}`, () => {
  const setup = async () => {
    const { url } = await freshSchema();
    const world = await createWorld({ url });
    return twoInstances({ a: world.store, b: await openTestStore({ url }) }, world);
  };

  it('a REST PUT and a GraphQL mutation through instance A reach a subscriber on instance B', async () => {
    const { a, b, auth, setNotes, subscribe } = await setup();
    const s = await subscribe(b.url);
    const put = await fetch(`${a.url}/api/v2/calls/${CALL.first}.json`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ call: { custom_fields: [{ name: 'Notes', value: 'via rest' }] } }),
    });
    expect(put.status).toBe(200);
    expect((await s.next()).data.callChanges).toMatchObject({ channel: 'REST', changes: [{ newValue: 'via rest' }] });
    await setNotes('via gql');
    expect((await s.next()).data.callChanges).toMatchObject({ channel: 'GRAPHQL', changes: [{ newValue: 'via gql' }] });
  });

  it('a subscriber that resumes on the other instance gets exactly the 50 changes it missed, in order', async () => {
    const { a, b, setNotes, subscribe } = await setup();
    const first = await subscribe(a.url);
    await setNotes('seen', b.url);
    const { cursor } = (await first.next()).data.callChanges;
    first.close();
    for (let i = 0; i < 50; i++) await setNotes(`m${i}`, i % 2 ? a.url : b.url);
    const resumed = await subscribe(b.url, { after: cursor });
    const values: string[] = [];
    for (let i = 0; i < 50; i++) values.push((await resumed.next()).data.callChanges.changes[0].newValue);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(await resumed.quietFor(500)).toBe(true);
  });

  it('loses nothing while the listening connection is down: it reconnects and reads on from the last sequence it saw', async () => {
    const { b, setNotes, subscribe } = await setup();
    const s = await subscribe(b.url);
    await setNotes('before');
    expect((await s.next()).data.callChanges.changes[0].newValue).toBe('before');

    const admin = await adminClient();
    onCleanup(() => admin.end());
    const killed = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'listen callgate_changes'`,
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    // Notified while no one of B listens: only the reconnect's read can find these.
    await setNotes('missed 1');
    await setNotes('missed 2');
    expect((await s.next(10_000)).data.callChanges.changes[0].newValue).toBe('missed 1');
    expect((await s.next()).data.callChanges.changes[0].newValue).toBe('missed 2');
    await setNotes('after');
    expect((await s.next()).data.callChanges.changes[0].newValue).toBe('after');
  });
});

describe('live updates across two processes on one SQLite file', () => {
  it.skipIf(onPostgres)('a write through one store reaches a subscriber served by another store on the same file (by polling the heads)', async () => {
    const path = await freshDatabaseUrl();
    const a = new SqliteCallStore({ path });
    await a.migrate();
    const world = await seedWorld(a);
    const b = new SqliteCallStore({ path });
    onCleanup(async () => {
      await b.close();
      await a.close();
    });
    const { b: served, setNotes, subscribe } = await twoInstances({ a, b }, world);
    const s = await subscribe(served.url);
    const start = Date.now();
    await setNotes('from a');
    expect((await s.next(3000)).data.callChanges.changes[0].newValue).toBe('from a');
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

describe(`two \`callgate serve\` processes on one database (${STORE_UNDER_TEST})`, () => {
  const start = async () => {
    const url = await freshDatabaseUrl();
    const world = await createWorld({ url });
    const servers = [startCliServer(['--db', url]), startCliServer(['--db', url])];
    for (const server of servers) onCleanup(() => void server.child.kill('SIGKILL'));
    const [a, b] = await Promise.all(servers.map((s) => s.url));
    const auth = { authorization: `Bearer ${world.tokens.editor}` };
    const setNotes = async (value: string, through: string) => {
      const response = await fetch(`${through}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ query: SET, variables: { callId: CALL.first, value } }),
      });
      expect(((await response.json()) as any).data.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');
    };
    const subscribe = async (on: string, variables: Record<string, unknown> = {}) => {
      const s = await subscribeSse(on, { query: CALL_CHANGES, variables }, auth);
      onCleanup(() => s.close());
      return s;
    };
    return { servers, a: a!, b: b!, setNotes, subscribe };
  };

  it('an instance killed with -9 loses its subscriber nothing: it resumes on the other with its last cursor', async () => {
    const { servers, a, b, setNotes, subscribe } = await start();
    const onA = await subscribe(a);
    await setNotes('seen', b);
    const { cursor } = (await onA.next()).data.callChanges;
    servers[0]!.child.kill('SIGKILL');
    await servers[0]!.exited;
    for (let i = 0; i < 5; i++) await setNotes(`down ${i}`, b);
    const onB = await subscribe(b, { after: cursor });
    for (let i = 0; i < 5; i++) expect((await onB.next()).data.callChanges.changes[0].newValue).toBe(`down ${i}`);
    expect(await onB.quietFor(700)).toBe(true);
  });

  it('SIGTERM ends open streams (complete) and the process exits well before the shutdown deadline', async () => {
    const { servers, a, subscribe } = await start();
    const s = await subscribe(a);
    const began = Date.now();
    servers[0]!.child.kill('SIGTERM');
    expect(await s.completed).toBe('complete');
    expect(await servers[0]!.exited).toBe(0);
    expect(Date.now() - began).toBeLessThan(3000);
  });
});
