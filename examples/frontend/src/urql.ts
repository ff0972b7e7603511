import { Client, cacheExchange, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
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
  /**
   * Send each operation by its id in the persisted-documents manifest
   * (src/gql/persisted-documents.json), never its text: what a server with
   * `PERSISTED_DOCUMENTS_MODE=require` runs. Queries still go as GET.
   */
  trustedDocuments?: boolean;
}

/** The manifest id graphql-codegen put on each document it generated. */
const documentId = (_query: string, document: unknown) =>
  Promise.resolve((document as { __meta__?: { hash?: string } }).__meta__?.hash ?? '');

/**
 * urql with its default settings: queries go as GET (`preferGetMethod:
 * 'within-url-limit'`), mutations as POST. The Bearer token is what lets a GET
 * through callgate's CSRF rule without the CSRF header.
 */
export function createUrqlClient({ url, token, fetch, trustedDocuments = false }: ClientOptions): Client {
  const persisted = trustedDocuments ? [persistedExchange({ enforcePersistedQueries: true, enableForMutation: true, generateHash: documentId })] : [];
  return new Client({
    url,
    exchanges: [cacheExchange, ...persisted, fetchExchange],
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
