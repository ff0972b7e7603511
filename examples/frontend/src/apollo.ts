import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import type { CustomFieldValueInput, SetCallCustomFieldsMutation } from './gql/graphql.js';
import { CallDocument, SetCallCustomFieldsDocument } from './operations.js';
import { saveOutcome, type SaveOutcome } from './save-outcome.js';
import type { ClientOptions } from './urql.js';

/**
 * The members of SetCallCustomFieldsResult, for the cache's `possibleTypes`
 * (without them Apollo cannot match the inline fragments on the union). A
 * Record over the generated `__typename`s: tsc fails when a member is missing.
 */
const saveResultMembers: Record<SetCallCustomFieldsMutation['setCallCustomFields']['__typename'], true> = {
  SetCallCustomFieldsSuccess: true,
  InvalidRecordError: true,
  ConflictError: true,
  ForbiddenError: true,
  NotFoundError: true,
};

/**
 * Apollo Client with its defaults (POST with a JSON body), the same typed
 * documents as urql. Calls and fields are normalised by `id`, the global id.
 */
export function createApolloClient({ url, token, fetch }: ClientOptions): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, ...(fetch ? { fetch } : {}) }),
    cache: new InMemoryCache({ possibleTypes: { SetCallCustomFieldsResult: Object.keys(saveResultMembers) } }),
  });
}

/** One call with every enabled field, empty ones included; null when the tenant has no such call. */
export async function loadCall(client: ApolloClient, id: string) {
  const result = await client.query({ query: CallDocument, variables: { id }, fetchPolicy: 'network-only' });
  if (result.error) throw result.error;
  return result.data?.call ?? null;
}

/** Saves the form's entries, as the urql version does. */
export async function saveCustomFields(
  client: ApolloClient,
  variables: { callId: string; customFields: CustomFieldValueInput[]; expectedVersion?: number },
): Promise<SaveOutcome> {
  const result = await client.mutate({ mutation: SetCallCustomFieldsDocument, variables });
  if (result.error) throw result.error;
  if (!result.data) throw new Error('The save had no answer');
  return saveOutcome(result.data.setCallCustomFields);
}
