import { beforeEach, describe, expect, it } from 'vitest';
import { onPostgres, STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

/**
 * The database round trips of each request, as a client sends it with a
 * bearer token: every statement the store sends is one round trip (the
 * stores report each to onStatement). Fewer would break a guarantee: see
 * docs/postgres.md.
 */
/**
 * On PostgreSQL each statement is a round trip. The REST PUT's seven: the token; begin; the call row locked;
 * the fields with the call's values; the writes with the values after them (the answer), one statement; the
 * version bump with the change log's append (one statement); commit. On SQLite they are calls into the embedded
 * library, not round trips.
 */
const EXPECTED = onPostgres ? { restGet: 2, callQuery: 2, callList: 3, restPut: 7 } : { restGet: 3, callQuery: 3, callList: 3, restPut: 13 };

describe(`${STORE_UNDER_TEST}: database round trips per request`, () => {
  let t: App;
  beforeEach(async () => {
    t = await createTestApp();
  });

  /** The statements a request sent, each shortened to its first words. */
  async function roundTrips(request: () => Promise<{ status: number }>): Promise<string[]> {
    const { result, statements } = await t.statements.during(request);
    expect(result.status).toBe(200);
    return statements.map((s) => s.replace(/\s+/g, ' ').slice(0, 70));
  }

  const CALL_QUERY = `query($id: ID!) { call(id: $id) { id version customFields { name value } } }`;
  const LIST_QUERY = `{ calls(first: 50) { edges { node { id customFields { name value } } } } }`;

  it('REST GET of a call: the token, then the call with its values', async () => {
    const trips = await roundTrips(() => t.rest('GET', `/api/v2/calls/${CALL.first}.json`));
    expect(trips, trips.join('\n')).toHaveLength(EXPECTED.restGet);
  });

  it('the GraphQL call query: the token, then the call with its values', async () => {
    const trips = await roundTrips(() => t.graphql(CALL_QUERY, { id: CALL.first }));
    expect(trips, trips.join('\n')).toHaveLength(EXPECTED.callQuery);
  });

  it('the call list: the token, the page, the values of its calls', async () => {
    const trips = await roundTrips(() => t.graphql(LIST_QUERY));
    expect(trips, trips.join('\n')).toHaveLength(EXPECTED.callList);
  });

  it('REST PUT: the token, then one transaction that locks, decides, writes and bumps the version', async () => {
    const put = () => t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ field_id: FIELD.amount, value: '7' }] } } });
    const trips = await roundTrips(put);
    expect(trips, trips.join('\n')).toHaveLength(EXPECTED.restPut);
  });
});
