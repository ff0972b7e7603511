import { Client, cacheExchange, fetchExchange } from '@urql/core';
import type { CallFilter, CallOrder, CustomFieldValueInput } from './gql/graphql.js';
import { CallDocument, CallListDocument, SetCallCustomFieldsDocument } from './operations.js';
import { saveOutcome, type SaveOutcome } from './save-outcome.js';

export interface ClientOptions {
  /** callgate's GraphQL endpoint, e.g. "https://callgate.example/graphql". */
  url: string;
  /** An API token (`callgate tokens create --username <name>`, or the createApiToken mutation). */
  token: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * urql with its default settings: queries go as GET (`preferGetMethod:
 * 'within-url-limit'`), mutations as POST. The Bearer token is what lets a GET
 * through callgate's CSRF rule without the CSRF header.
 */
export function createUrqlClient({ url, token, fetch }: ClientOptions): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    ...(fetch ? { fetch } : {}),
  });
}

/** One page of the call list; pass the previous page's `pageInfo.endCursor` as `after` for the next. */
export async function listCalls(client: Client, variables: { first: number; after?: string | null; filter?: CallFilter; orderBy?: CallOrder }) {
  const result = await client.query(CallListDocument, variables, { requestPolicy: 'network-only' }).toPromise();
  if (result.error) throw result.error;
  if (!result.data?.calls) throw new Error('The call list did not load');
  return result.data.calls;
}

/** One call with every enabled field, empty ones included; null when the tenant has no such call. */
export async function loadCall(client: Client, id: string) {
  const result = await client.query(CallDocument, { id }, { requestPolicy: 'network-only' }).toPromise();
  if (result.error) throw result.error;
  return result.data?.call ?? null;
}

/** Saves the form's entries; `expectedVersion` (the version the form was loaded at) guards against overwriting someone else's save. */
export async function saveCustomFields(
  client: Client,
  variables: { callId: string; customFields: CustomFieldValueInput[]; expectedVersion?: number },
): Promise<SaveOutcome> {
  const result = await client.mutation(SetCallCustomFieldsDocument, variables).toPromise();
  if (result.error) throw result.error;
  if (!result.data) throw new Error('The save had no answer');
  return saveOutcome(result.data.setCallCustomFields);
}
