import { graphql } from './gql/index.js';

/** The columns of the call list. */
export const CallRowFragment = graphql(`
  fragment CallRow on Call {
    id
    setupTime
    direction
    fromNumber
    toNumber
    duration
    version
  }
`);

/** What a form needs to render and check one field: its definition. */
export const FieldDefinitionFragment = graphql(`
  fragment FieldDefinition on CustomField {
    id
    name
    type
    description
    editable
    options
    maxLength
  }
`);

/** One field of a call: its value and its definition. */
export const FieldValueFragment = graphql(`
  fragment FieldValue on CustomFieldValue {
    fieldId
    value
    values
    valid
    updatedAt
    updatedBy
    field {
      ...FieldDefinition
    }
  }
`);

/** A page of the call list: `after` is the previous page's `pageInfo.endCursor`. */
export const CallListDocument = graphql(`
  query CallList($first: Int!, $after: String, $filter: CallFilter, $orderBy: CallOrder) {
    calls(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      edges {
        cursor
        node {
          ...CallRow
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

/** One call with every enabled field, empty ones included, for the tagging form. */
export const CallDocument = graphql(`
  query Call($id: ID!) {
    call(id: $id) {
      ...CallRow
      customFields(includeEmpty: true) {
        ...FieldValue
      }
    }
  }
`);

/** Saves the form: each member of the result union is selected, none through the Error interface. */
export const SetCallCustomFieldsDocument = graphql(`
  mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {
    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {
      __typename
      ... on SetCallCustomFieldsSuccess {
        call {
          ...CallRow
          customFields(includeEmpty: true) {
            ...FieldValue
          }
        }
      }
      ... on InvalidRecordError {
        message
        details {
          path
          message
        }
      }
      ... on ConflictError {
        message
        reason
      }
      ... on ForbiddenError {
        message
      }
      ... on NotFoundError {
        message
      }
    }
  }
`);
