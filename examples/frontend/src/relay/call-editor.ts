// The tagging form's documents, for relay-compiler (see call-list.ts for how
// they are used with and without babel-plugin-relay).
import { graphql } from 'relay-runtime';

export const callEditorQuery = graphql`
  query callEditorQuery($id: ID!) {
    call(id: $id) {
      ...callEditor_call
    }
  }
`;

/** The form's data; `@refetchable` writes a query that reloads it through `node(id:)`. */
export const callEditorFragment = graphql`
  fragment callEditor_call on Call @refetchable(queryName: "callEditorRefetchQuery") {
    id
    version
    customFields(includeEmpty: true) {
      fieldId
      value
      values
      valid
      field {
        ...callEditor_definition
      }
    }
  }
`;

/** What the form needs to render one field. */
export const callEditorDefinitionFragment = graphql`
  fragment callEditor_definition on CustomField {
    id
    name
    type
    editable
    options
    maxLength
  }
`;

/** Saves the form; on success the returned call updates the store's record of it (same `id`). */
export const callEditorSaveMutation = graphql`
  mutation callEditorSaveMutation($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {
    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {
      __typename
      ... on SetCallCustomFieldsSuccess {
        call {
          ...callEditor_call
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
`;
