/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment CallRow on Call {\n    id\n    setupTime\n    direction\n    fromNumber\n    toNumber\n    duration\n    version\n  }\n": typeof types.CallRowFragmentDoc,
    "\n  fragment FieldDefinition on CustomField {\n    id\n    name\n    type\n    description\n    editable\n    options\n    maxLength\n  }\n": typeof types.FieldDefinitionFragmentDoc,
    "\n  fragment FieldValue on CustomFieldValue {\n    fieldId\n    value\n    values\n    valid\n    updatedAt\n    updatedBy\n    field {\n      ...FieldDefinition\n    }\n  }\n": typeof types.FieldValueFragmentDoc,
    "\n  query CallList($first: Int!, $after: String, $filter: CallFilter, $orderBy: CallOrder) {\n    calls(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CallRow\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n": typeof types.CallListDocument,
    "\n  query Call($id: ID!) {\n    call(id: $id) {\n      ...CallRow\n      customFields(includeEmpty: true) {\n        ...FieldValue\n      }\n    }\n  }\n": typeof types.CallDocument,
    "\n  mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {\n    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {\n      __typename\n      ... on SetCallCustomFieldsSuccess {\n        call {\n          ...CallRow\n          customFields(includeEmpty: true) {\n            ...FieldValue\n          }\n        }\n      }\n      ... on InvalidRecordError {\n        message\n        details {\n          path\n          message\n        }\n      }\n      ... on ConflictError {\n        message\n        reason\n      }\n      ... on ForbiddenError {\n        message\n      }\n      ... on NotFoundError {\n        message\n      }\n    }\n  }\n": typeof types.SetCallCustomFieldsDocument,
};
const documents: Documents = {
    "\n  fragment CallRow on Call {\n    id\n    setupTime\n    direction\n    fromNumber\n    toNumber\n    duration\n    version\n  }\n": types.CallRowFragmentDoc,
    "\n  fragment FieldDefinition on CustomField {\n    id\n    name\n    type\n    description\n    editable\n    options\n    maxLength\n  }\n": types.FieldDefinitionFragmentDoc,
    "\n  fragment FieldValue on CustomFieldValue {\n    fieldId\n    value\n    values\n    valid\n    updatedAt\n    updatedBy\n    field {\n      ...FieldDefinition\n    }\n  }\n": types.FieldValueFragmentDoc,
    "\n  query CallList($first: Int!, $after: String, $filter: CallFilter, $orderBy: CallOrder) {\n    calls(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CallRow\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n": types.CallListDocument,
    "\n  query Call($id: ID!) {\n    call(id: $id) {\n      ...CallRow\n      customFields(includeEmpty: true) {\n        ...FieldValue\n      }\n    }\n  }\n": types.CallDocument,
    "\n  mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {\n    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {\n      __typename\n      ... on SetCallCustomFieldsSuccess {\n        call {\n          ...CallRow\n          customFields(includeEmpty: true) {\n            ...FieldValue\n          }\n        }\n      }\n      ... on InvalidRecordError {\n        message\n        details {\n          path\n          message\n        }\n      }\n      ... on ConflictError {\n        message\n        reason\n      }\n      ... on ForbiddenError {\n        message\n      }\n      ... on NotFoundError {\n        message\n      }\n    }\n  }\n": types.SetCallCustomFieldsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CallRow on Call {\n    id\n    setupTime\n    direction\n    fromNumber\n    toNumber\n    duration\n    version\n  }\n"): (typeof documents)["\n  fragment CallRow on Call {\n    id\n    setupTime\n    direction\n    fromNumber\n    toNumber\n    duration\n    version\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FieldDefinition on CustomField {\n    id\n    name\n    type\n    description\n    editable\n    options\n    maxLength\n  }\n"): (typeof documents)["\n  fragment FieldDefinition on CustomField {\n    id\n    name\n    type\n    description\n    editable\n    options\n    maxLength\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FieldValue on CustomFieldValue {\n    fieldId\n    value\n    values\n    valid\n    updatedAt\n    updatedBy\n    field {\n      ...FieldDefinition\n    }\n  }\n"): (typeof documents)["\n  fragment FieldValue on CustomFieldValue {\n    fieldId\n    value\n    values\n    valid\n    updatedAt\n    updatedBy\n    field {\n      ...FieldDefinition\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CallList($first: Int!, $after: String, $filter: CallFilter, $orderBy: CallOrder) {\n    calls(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CallRow\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query CallList($first: Int!, $after: String, $filter: CallFilter, $orderBy: CallOrder) {\n    calls(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...CallRow\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Call($id: ID!) {\n    call(id: $id) {\n      ...CallRow\n      customFields(includeEmpty: true) {\n        ...FieldValue\n      }\n    }\n  }\n"): (typeof documents)["\n  query Call($id: ID!) {\n    call(id: $id) {\n      ...CallRow\n      customFields(includeEmpty: true) {\n        ...FieldValue\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {\n    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {\n      __typename\n      ... on SetCallCustomFieldsSuccess {\n        call {\n          ...CallRow\n          customFields(includeEmpty: true) {\n            ...FieldValue\n          }\n        }\n      }\n      ... on InvalidRecordError {\n        message\n        details {\n          path\n          message\n        }\n      }\n      ... on ConflictError {\n        message\n        reason\n      }\n      ... on ForbiddenError {\n        message\n      }\n      ... on NotFoundError {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {\n    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {\n      __typename\n      ... on SetCallCustomFieldsSuccess {\n        call {\n          ...CallRow\n          customFields(includeEmpty: true) {\n            ...FieldValue\n          }\n        }\n      }\n      ... on InvalidRecordError {\n        message\n        details {\n          path\n          message\n        }\n      }\n      ... on ConflictError {\n        message\n        reason\n      }\n      ... on ForbiddenError {\n        message\n      }\n      ... on NotFoundError {\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;