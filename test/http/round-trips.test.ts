import { beforeEach, describe, expect, it } from 'vitest';
import { onPostgres, STORE_UNDER_TEST } from '../support/database.js';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

/**
 * The database round trips of each request, as a client sends it with a
 * bearer token: every statement the store sends is one round trip (the
 * stores report each to onStatement). Fewer would break a guarantee: see
 * docs/postgres.md.
 *
 * On PostgreSQL each statement is a round trip. The first request with a token checks it in a statement of its own;
 * from then on a read carries the check in its own statement (the viewer is recalled, and the token's row read with
 * the call or the page confirms it: src/http/provisional-reads.ts). The REST PUT's seven: the token; begin; the call
 * row locked; the fields with the call's values; the writes with the values after them (the answer), one statement;
 * the version bump with the change log's append (one statement); commit. On SQLite they are calls into the embedded
 * library, not round trips, and every request checks its credentials first.
 */
const EXPECTED = onPostgres
  ? { first: { restGet: 2, callQuery: 2, callList: 3, restPut: 7 }, restGet: 1, callQuery: 1, callList: 2, restPut: 7 }
  : { first: { restGet: 3, callQuery: 3, callList: 3, restPut: 13 }, restGet: 3, callQuery: 3, callList: 3, restPut: 11 };

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

  /** The round trips of a request sent twice: the first time the token is new to the instance, then it is recalled. */
  async function firstAndNext(request: () => Promise<{ status: number }>) {
    return { first: await roundTrips(request), next: await roundTrips(request) };
  }

  const tokenLookups = (trips: string[]) => trips.filter((s) => /^select u\.id, u\.tenant_id\b/.test(s)).length;

  /** A /graphql POST as most clients send it: a body of declared length (the fast path's request; graphql-fast-path.ts). */
  async function graphql(query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: t.bearer('editor') },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    return { status: response.status };
  }

  it('REST GET of a call: the call with its values, the token checked in the same statement', async () => {
    const { first, next } = await firstAndNext(() => t.rest('GET', `/api/v2/calls/${CALL.first}.json`));
    expect(first, first.join('\n')).toHaveLength(EXPECTED.first.restGet);
    expect(next, next.join('\n')).toHaveLength(EXPECTED.restGet);
    expect(tokenLookups(next)).toBe(onPostgres ? 0 : 1);
  });

  it('the GraphQL call query: the call with its values, the token checked in the same statement', async () => {
    const { first, next } = await firstAndNext(() => graphql(CALL_QUERY, { id: CALL.first }));
    expect(first, first.join('\n')).toHaveLength(EXPECTED.first.callQuery);
    expect(next, next.join('\n')).toHaveLength(EXPECTED.callQuery);
  });

  it('the call list: the page (the token checked with it), the values of its calls', async () => {
    const { first, next } = await firstAndNext(() => graphql(LIST_QUERY));
    expect(first, first.join('\n')).toHaveLength(EXPECTED.first.callList);
    expect(next, next.join('\n')).toHaveLength(EXPECTED.callList);
  });

  it('REST PUT: the token, then one transaction that locks, decides, writes and bumps the version', async () => {
    const put = () => t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: { call: { custom_fields: [{ field_id: FIELD.amount, value: '7' }] } } });
    const { first, next } = await firstAndNext(put);
    expect(first, first.join('\n')).toHaveLength(EXPECTED.first.restPut);
    expect(next, next.join('\n')).toHaveLength(EXPECTED.restPut);
  });

  it('the GraphQL mutation on a recalled viewer checks the token before it writes anything', async () => {
    const mutation = () =>
      graphql(`mutation($id: ID!) { setCallCustomFields(callId: $id, customFields: [{ fieldId: "${FIELD.amount}", value: "8" }]) { __typename } }`, {
        id: CALL.first,
      });
    const { next } = await firstAndNext(mutation);
    expect(next.length).toBe(EXPECTED.restPut);
    expect(tokenLookups(next.slice(0, 1))).toBe(1);
  });
});
