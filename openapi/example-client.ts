/**
 * A typed client of callgate's REST API in a few lines: openapi-fetch over
 * the types openapi-typescript generates from the OpenAPI description
 * (callgate-api.d.ts, `npm run openapi:print`). Paths, parameters, bodies and
 * answers are checked by the compiler: a misspelt attribute or a wrong value
 * type does not compile. test/http/openapi-client.test.ts runs it against a
 * live server.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './callgate-api.js';

export type CallgateClient = ReturnType<typeof createCallgateClient>;
export type Call = components['schemas']['Call'];

/** A client for a callgate server, e.g. `createCallgateClient('http://127.0.0.1:4000', 'Bearer <token>')`. */
export function createCallgateClient(baseUrl: string, authorization: string) {
  return createClient<paths>({ baseUrl, headers: { authorization } });
}

/**
 * The vendor's PUT: sets "Payment status" by its field_id and "Call type"
 * by its name; the call as it is now, or the error body.
 */
export async function setPaymentAndCallType(client: CallgateClient, callId: string, paymentStatusFieldId: string) {
  const { data, error, response } = await client.PUT('/api/v2/calls/{call_id}.json', {
    params: { path: { call_id: callId } },
    body: {
      call: {
        custom_fields: [
          { field_id: paymentStatusFieldId, value: 'Unknown' },
          { name: 'Call type', value: 'Sales call' },
        ],
      },
    },
  });
  if (data) return { ok: true as const, call: data.call, etag: response.headers.get('etag') };
  return { ok: false as const, status: response.status, error };
}

/** What an invalid PUT's 400 says per entry, e.g. {"custom_fields.0.value": "Value is too long"}; null when it was not a 400. */
export async function invalidRecordDetails(client: CallgateClient, callId: string, entries: { name: string; value: string }[]) {
  const { error, response } = await client.PUT('/api/v2/calls/{call_id}.json', {
    params: { path: { call_id: callId } },
    body: { call: { custom_fields: entries } },
  });
  if (response.status !== 400 || !error || !('details' in error)) return null;
  return { error: error.error, details: error.details ?? {} };
}
