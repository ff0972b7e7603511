import { beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/store/call-store.js';
import { basic, CALL, createTestApp } from '../support/fixtures.js';
import { failCallReads } from '../support/database.js';

type App = Awaited<ReturnType<typeof createTestApp>>;
let t: App;

beforeEach(async () => {
  t = await createTestApp();
});

const down = () => {
  throw new StoreUnavailableError('The database at db.internal:5432/callgate cannot be reached', { cause: new Error('SECRET connect ECONNREFUSED') });
};

const PUT_BODY = { call: { custom_fields: [{ name: 'Amount', value: '7' }] } };
const MUTATION = `mutation { setCallCustomFields(callId: "${CALL.first}", customFields: [{ name: "Amount", value: "7" }]) { __typename } }`;

const noDetails = (text: string) => {
  expect(text).not.toMatch(/SECRET|db\.internal|ECONNREFUSED|\bat \S+ \(/);
};

describe('a database that cannot serve the request', () => {
  it('answers a REST PUT and GET with 503, Retry-After and no driver details', async () => {
    t.store.setCallCustomFields = async () => down();
    failCallReads(t.store, () => down());
    for (const response of [await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: PUT_BODY }), await t.rest('GET', `/api/v2/calls/${CALL.first}.json`)]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.json).toEqual({ error: 'ServiceUnavailable', description: 'The database is unavailable or busy; try again shortly' });
      noDetails(response.text);
    }
  });

  it('answers a GraphQL mutation and query with 503 and a SERVICE_UNAVAILABLE error', async () => {
    t.store.setCallCustomFields = async () => down();
    t.store.getCall = async () => down();
    for (const document of [MUTATION, `{ call(id: "${CALL.first}") { id } }`]) {
      const response = await t.fetch(
        new Request('http://callgate.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: t.bearer('editor') },
          body: JSON.stringify({ query: document }),
        }),
      );
      const text = await response.text();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const body = JSON.parse(text);
      expect(body.errors).toEqual([expect.objectContaining({ message: 'The database is unavailable or busy; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
      noDetails(text);
    }
  });

  it('answers with 503 when even the credentials cannot be checked, on both APIs', async () => {
    t.store.findUserByTokenHash = async () => down();
    t.store.findUserByUsername = async () => down();
    const rest = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: PUT_BODY, headers: { authorization: basic('editor') } });
    expect(rest.status).toBe(503);
    expect(rest.json.error).toBe('ServiceUnavailable');
    const graphql = await t.graphql(MUTATION);
    expect(graphql.status).toBe(503);
    expect(graphql.body.errors?.[0]?.message).toBe('The database is unavailable or busy; try again shortly');
  });

  it('serves again as soon as the database is back', async () => {
    const setCallCustomFields = t.store.setCallCustomFields.bind(t.store);
    t.store.setCallCustomFields = async () => down();
    expect((await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: PUT_BODY })).status).toBe(503);
    expect((await t.stored(CALL.first))?.version).toBe(1);
    t.store.setCallCustomFields = setCallCustomFields;
    const response = await t.rest('PUT', `/api/v2/calls/${CALL.first}.json`, { body: PUT_BODY });
    expect(response.status).toBe(200);
    expect(await t.stored(CALL.first)).toMatchObject({ version: 2 });
  });
});
