import { CALL, FIELD } from './fixtures.js';

/**
 * GraphQL operations as frontends send them (Relay- and urql-style documents
 * built from fragments, with variables), for the tests that run them through
 * the query limits. Each runs against the world of createWorld as the editor
 * and must answer without errors. A test may add generated documents (the
 * example frontend's) to the same list.
 */
export interface FrontendOperation {
  name: string;
  document: string;
  variables: Record<string, unknown>;
  /** A query a client may send as GET (urql's default); mutations go as POST. */
  kind: 'query' | 'mutation';
}

/** Every field of a custom field's definition. */
export const DEF_FRAGMENT = `fragment Def on CustomField { id name type description enabled editable maxLength options previousNames }`;

/** Every field of a call's value of a custom field, with its definition. */
export const VALUE_FRAGMENT = `fragment Value on CustomFieldValue { fieldId name value values valid updatedAt updatedBy field { ...Def } }`;

/** Every field of a call, with every field of each enabled custom field (empty ones too). */
export const ROW_FRAGMENT = `fragment Row on Call {
  id version setupTime duration direction fromNumber toNumber
  customFields(includeEmpty: true) { ...Value }
}`;

/** Row, Value and Def, to append to a document that spreads `...Row`. */
export const ROW_FRAGMENTS = [ROW_FRAGMENT, VALUE_FRAGMENT, DEF_FRAGMENT].join('\n');

/** A Relay connection page of calls, every field of each (6 field levels deep when written inline). */
export const CALL_LIST_PAGE = `query CallListPaginationQuery($first: Int!, $after: String, $filter: CallFilter) {
  calls(first: $first, after: $after, filter: $filter) {
    edges { cursor node { ...Row } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}
${ROW_FRAGMENTS}`;

export const FRONTEND_OPERATIONS: readonly FrontendOperation[] = [
  {
    name: 'a page of 100 calls with every field (Relay pagination, $first/$after)',
    kind: 'query',
    document: CALL_LIST_PAGE,
    variables: { first: 100, after: null, filter: null },
  },
  {
    name: 'a filtered page of 100 calls, urql-style (__typename in every selection)',
    kind: 'query',
    document: `query CallList($first: Int = 100, $after: String, $filter: CallFilter) {
  calls(first: $first, after: $after, filter: $filter) {
    __typename
    edges { __typename cursor node { __typename ...UrqlRow } }
    pageInfo { __typename hasNextPage endCursor }
  }
}
fragment UrqlRow on Call {
  id version setupTime duration direction fromNumber toNumber
  customFields(includeEmpty: true) { __typename ...UrqlValue }
}
fragment UrqlValue on CustomFieldValue {
  fieldId name value values valid updatedAt updatedBy
  field { __typename ... on CustomField { id name type description enabled editable maxLength options previousNames } }
}`,
    variables: { filter: { direction: 'INBOUND' } },
  },
  {
    name: 'a node(id:) refetch of one call',
    kind: 'query',
    document: `query CallRowRefetchQuery($id: ID!) {
  node(id: $id) { __typename id ... on Call { ...Row } }
}
${ROW_FRAGMENTS}`,
    variables: { id: CALL.first },
  },
  {
    name: 'the tagging screen: one call, the viewer and the field definitions',
    kind: 'query',
    document: `query CallScreenQuery($callId: ID!) {
  viewer { username role permissions }
  call(id: $callId) { ...Row }
  customFields { ...Def }
}
${ROW_FRAGMENTS}`,
    variables: { callId: CALL.first },
  },
  {
    name: 'the ids of a 1,000-row page',
    kind: 'query',
    document: `query CallIds { calls(first: 1000) { edges { node { id } } } }`,
    variables: {},
  },
  {
    name: 'setCallCustomFields handling each union member, the call as fragments',
    kind: 'mutation',
    document: `mutation SaveCallCustomFieldsMutation($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {
  setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {
    __typename
    ... on SetCallCustomFieldsSuccess { call { ...Row } }
    ... on InvalidRecordError { message details { path message } }
    ... on ConflictError { message reason affectedValues }
    ... on NotFoundError { message }
    ... on ForbiddenError { message }
  }
}
${ROW_FRAGMENTS}`,
    variables: { callId: CALL.first, customFields: [{ fieldId: FIELD.amount, value: '42' }] },
  },
];
