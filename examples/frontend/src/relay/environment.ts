import { Environment, Network, RecordSource, Store, commitMutation, fetchQuery, type FetchFunction } from 'relay-runtime';
import { waitForFragmentData } from 'relay-runtime/experimental.js';
import callEditorQueryNode, { type callEditorQuery } from './__generated__/callEditorQuery.graphql.js';
import callEditorRefetchQueryNode, { type callEditorRefetchQuery } from './__generated__/callEditorRefetchQuery.graphql.js';
import callEditorSaveMutationNode, {
  type callEditorSaveMutation,
  type callEditorSaveMutation$data,
  type callEditorSaveMutation$variables,
} from './__generated__/callEditorSaveMutation.graphql.js';
import callEditorFragment, { type callEditor_call$data, type callEditor_call$key } from './__generated__/callEditor_call.graphql.js';
import callListPaginationQueryNode, { type callListPaginationQuery } from './__generated__/callListPaginationQuery.graphql.js';
import callListQueryNode, { type callListQuery, type callListQuery$variables } from './__generated__/callListQuery.graphql.js';
import callListFragment, { type callList_query$key } from './__generated__/callList_query.graphql.js';
import type { ClientOptions } from '../urql.js';

/**
 * A Relay environment with relay-runtime's defaults (its store, `getDataID`
 * by `id`): callgate's `id` is the global id. Each operation goes as a JSON
 * POST with the compiled text (`params.text`) and a Bearer token.
 */
export function createRelayEnvironment({ url, token, fetch: send = fetch }: ClientOptions): Environment {
  const fetchFn: FetchFunction = async (params, variables) => {
    const response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: params.text, variables }),
    });
    return response.json();
  };
  return new Environment({ network: Network.create(fetchFn), store: new Store(new RecordSource()) });
}

// Without React, fragments are read with relay-runtime's waitForFragmentData
// where a component would call useFragment / usePaginationFragment.
const readCallList = (environment: Environment, key: callList_query$key) => waitForFragmentData(environment, callListFragment, key);
const readCallForm = (environment: Environment, key: callEditor_call$key) => waitForFragmentData(environment, callEditorFragment, key);

/** The first page of the call list (what usePaginationFragment starts with). */
export async function loadCallList(environment: Environment, variables: callListQuery$variables) {
  const data = await fetchQuery<callListQuery>(environment, callListQueryNode, variables).toPromise();
  if (!data) throw new Error('The call list did not load');
  return readCallList(environment, data);
}

/**
 * The next page, as usePaginationFragment's loadNext sends it: the compiled
 * pagination query, from `cursor` (the last page's endCursor). Relay's
 * connection handler appends its edges to the list `loadCallList` read, which
 * this answers, all pages loaded so far.
 */
export async function loadNextCalls(environment: Environment, variables: callListQuery$variables & { cursor: string }) {
  const data = await fetchQuery<callListPaginationQuery>(environment, callListPaginationQueryNode, variables).toPromise();
  if (!data) throw new Error('The next page did not load');
  return readCallList(environment, data);
}

/** One call for the tagging form; null when the tenant has no such call. */
export async function loadCall(environment: Environment, id: string, fetchPolicy: 'network-only' | 'store-or-network' = 'network-only') {
  const data = await fetchQuery<callEditorQuery>(environment, callEditorQueryNode, { id }, { fetchPolicy }).toPromise();
  return data?.call ? readCallForm(environment, data.call) : null;
}

/** The form's data again through `node(id:)`, as useRefetchableFragment's refetch sends it. */
export async function refetchCall(environment: Environment, id: string) {
  const data = await fetchQuery<callEditorRefetchQuery>(environment, callEditorRefetchQueryNode, { id }).toPromise();
  return data?.node ? readCallForm(environment, data.node) : null;
}

/** What the form does after a save, one case per member of the result union. */
export type RelaySaveOutcome =
  | { kind: 'saved'; call: callEditor_call$data }
  | { kind: 'invalid'; message: string; problems: readonly { readonly path: string; readonly message: string }[] }
  | { kind: 'conflict'; message: string; reason: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'notFound'; message: string };

/**
 * Saves the form with commitMutation. On success the returned call is
 * normalised into the store by its `id`, so every view of it shows the new
 * values without a refetch.
 */
export function saveCustomFields(environment: Environment, variables: callEditorSaveMutation$variables): Promise<RelaySaveOutcome> {
  return new Promise((resolve, reject) => {
    commitMutation<callEditorSaveMutation>(environment, {
      mutation: callEditorSaveMutationNode,
      variables,
      onCompleted: (response, errors) => {
        if (errors?.length) reject(new Error(errors.map((e) => e.message).join('; ')));
        else outcome(environment, response.setCallCustomFields).then(resolve, reject);
      },
      onError: reject,
    });
  });
}

async function outcome(environment: Environment, result: callEditorSaveMutation$data['setCallCustomFields']): Promise<RelaySaveOutcome> {
  switch (result.__typename) {
    case 'SetCallCustomFieldsSuccess':
      return { kind: 'saved', call: await readCallForm(environment, result.call) };
    case 'InvalidRecordError':
      return { kind: 'invalid', message: result.message, problems: result.details };
    case 'ConflictError':
      return { kind: 'conflict', message: result.message, reason: result.reason };
    case 'ForbiddenError':
      return { kind: 'forbidden', message: result.message };
    case 'NotFoundError':
      return { kind: 'notFound', message: result.message };
    case '%other':
      // Relay's placeholder for a member added to the schema after this build.
      throw new Error('The server answered a result this build does not know; run npm run example:relay');
    default:
      return unhandled(result);
  }
}

function unhandled(member: never): never {
  throw new Error(`Unhandled result member ${(member as { __typename: string }).__typename}`);
}
