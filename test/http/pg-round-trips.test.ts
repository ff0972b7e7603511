import { describe, expect, it } from 'vitest';
import { onPostgres, POSTGRES_ONLY } from '../support/database.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

/** The statements (each one round trip to PostgreSQL) one HTTP request sends, authentication included. */
async function roundTrips<T>(t: App, request: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  await request(); // the connection's prepared statements and the credential cache are warm from here on
  return t.statements.during(request);
}

/** What each statement is, by the table it starts with: enough to see which round trips a request makes. */
function kinds(statements: string[]): string[] {
  return statements.map((text) => {
    const s = text.replace(/\s+/g, ' ').trim();
    if (/^(begin|commit)\b/.test(s)) return s.split(' ')[0]!;
    if (s.includes('from api_users u join tenants t') && s.includes('api_tokens')) return 'token';
    if (s.startsWith('with bumped as')) return 'bump and log';
    if (/ for update$/.test(s)) return 'lock call';
    if (s.includes('as "customFields" from calls')) return 'call with values';
    if (s.includes('left join call_custom_field_values v')) return 'fields and values';
    if (/^select "call_id", .* from "calls"/.test(s)) return 'call page';
    if (/^select "call_custom_field_values"/.test(s)) return 'values of calls';
    if (s.startsWith('with cleared as')) return 'write and read values';
    if (s.startsWith('select v.field_id')) return 'values';
    return s.slice(0, 80);
  });
}

describe.skipIf(!onPostgres)(`round trips per request on PostgreSQL ${POSTGRES_ONLY}`, () => {
  it('REST GET of a call', async () => {
    const t = await createTestApp();
    const { result, statements } = await roundTrips(t, () => t.rest('GET', `/api/v2/calls/${CALL.first}.json`));
    expect(result.status).toBe(200);
    expect(kinds(statements)).toEqual(['token', 'call with values']);
  });

  it('GraphQL call query', async () => {
    const t = await createTestApp();
    const { result, statements } = await roundTrips(t, () => t.graphql(`query($id: ID!) { call(id: $id) { id version customFields { fieldId name value } } }`, { id: CALL.first }));
    expect(result.body.errors).toBeUndefined();
    expect(kinds(statements)).toEqual(['token', 'call with values']);
  });

  it('GraphQL call list, 50 calls with their custom fields', async () => {
    const t = await createTestApp();
    const { result, statements } = await roundTrips(t, () => t.graphql(`{ calls(first: 50) { edges { node { id customFields { fieldId name value } } } } }`));
    expect(result.body.errors).toBeUndefined();
    expect(kinds(statements)).toEqual(['token', 'call page', 'values of calls']);
  });

  it('REST PUT of a call', async () => {
    const t = await createTestApp();
    let n = 0;
    const { result, statements } = await roundTrips(t, () =>
      t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ field_id: FIELD.amount, value: String(++n) }, { field_id: FIELD.notes, value: null }] } } }),
    );
    expect(result.status).toBe(200);
    expect(kinds(statements)).toEqual(['token', 'begin', 'lock call', 'fields and values', 'write and read values', 'bump and log', 'commit']);
  });
});
