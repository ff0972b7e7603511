import { DEMO_CALL_ID, VENDOR_EXAMPLE_FIELDS } from '../core/vendor-examples.js';

const [paymentStatus, callType] = VENDOR_EXAMPLE_FIELDS;

const QUERY = `# Your browser asks for the API user's name and password (HTTP Basic),
# or put a token in the Headers tab: {"Authorization": "Bearer cg_..."}

query Call($callId: ID!) {
  call(id: $callId) {
    id
    setupTime
    fromNumber
    toNumber
    direction
    duration
    version
    customFields { fieldId name value updatedAt }
  }
}

# A page of calls with every enabled field (null where unset); for the next page
# pass pageInfo.endCursor as "after".
query Calls($after: String) {
  calls(first: 10, after: $after, orderBy: { field: SETUP_TIME, direction: DESC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        setupTime
        fromNumber
        toNumber
        customFields(includeEmpty: true) { name value field { type options editable } }
      }
    }
  }
}

# Sets one field by id and one by name; "value": null clears a field.
mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
  setCallCustomFields(callId: $callId, customFields: $customFields) {
    __typename
    ... on SetCallCustomFieldsSuccess { call { id version customFields { name value } } }
    ... on Error { message }
    ... on InvalidRecordError { details { path message } }
  }
}
`;

const VARIABLES = JSON.stringify(
  {
    callId: DEMO_CALL_ID,
    customFields: [
      { fieldId: paymentStatus.fieldId, value: 'Unknown' },
      { name: callType.name, value: 'Sales call' },
    ],
  },
  null,
  2,
);

/** GraphiQL opens on the call query and the setCallCustomFields mutation, with variables for the demo data. */
export const graphiqlOptions = {
  title: 'callgate GraphiQL',
  defaultTabs: [{ query: QUERY, variables: VARIABLES }],
};
