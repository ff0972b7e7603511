import { initGraphQLTada, type ResultOf, type VariablesOf } from 'gql.tada';
import type { introspection } from './graphql-env.js';

/**
 * The REST shim's fixed GraphQL documents, typed from the printed schema:
 * graphql-env.d.ts is gql.tada's output for schema/schema.graphql
 * (`npm run graphql-env`; CI fails when it is stale), so a route reads its
 * result with the schema's own types.
 */
const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; SafeInt: number };
  disableMasking: true;
}>();

export type { ResultOf, VariablesOf };

const RestCall = graphql(`
  fragment RestCall on Call {
    id setupTime fromNumber toNumber direction duration
    customFields { fieldId name value values }
  }`);

/** Every expected failure a REST route maps (see outcomes.ts). */
const RestFailure = graphql(`
  fragment RestFailure on Error {
    message
    ... on InvalidRecordError { details { path message } }
    ... on ConflictError { reason affectedValues }
  }`);

const RestCustomField = graphql(`
  fragment RestCustomField on CustomField { id name description type maxLength options editable enabled }`);

export const GET_CALL = graphql(`query RestGetCall($id: ID!) { call(id: $id) { version ...RestCall } }`, [RestCall]);

export const SET_CALL_CUSTOM_FIELDS = graphql(
  `mutation RestSetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!, $expectedVersion: SafeInt) {
    setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { version ...RestCall } }
      ...RestFailure
    }
  }`,
  [RestCall, RestFailure],
);

/**
 * What the mutation would judge entries against, read without writing: the
 * REST shim checks the well-formed entries of a body that also has malformed
 * ones with it, and never runs the mutation for such a body.
 */
export const CHECK_CALL_CUSTOM_FIELDS = graphql(`
  query RestCheckCallCustomFields($callId: ID!) {
    viewer { permissions }
    call(id: $callId) { version }
    customFields(includeDisabled: true) { id name type options maxLength editable enabled previousNames }
  }`);

export const LIST_CALLS = graphql(
  `query RestListCalls($first: Int!, $after: String, $filter: CallFilter, $orderBy: CallOrder) {
    calls(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      pageInfo { hasNextPage }
      edges { node { ...RestCall } }
    }
  }`,
  [RestCall],
);

export const COUNT_CALLS = graphql(`query RestCountCalls($filter: CallFilter) { calls(first: 0, filter: $filter) { totalCount } }`);

export const LIST_CUSTOM_FIELDS = graphql(
  `query RestListCustomFields { customFields(includeDisabled: true) { ...RestCustomField } }`,
  [RestCustomField],
);

export const GET_CUSTOM_FIELD = graphql(`query RestGetCustomField($id: ID!) { customField(id: $id) { ...RestCustomField } }`, [
  RestCustomField,
]);

export const CREATE_CUSTOM_FIELD = graphql(
  `mutation RestCreateCustomField($input: CreateCustomFieldInput!) {
    createCustomField(input: $input) {
      __typename
      ... on CreateCustomFieldSuccess { customField { ...RestCustomField } }
      ...RestFailure
    }
  }`,
  [RestCustomField, RestFailure],
);

export const UPDATE_CUSTOM_FIELD = graphql(
  `mutation RestUpdateCustomField($id: ID!, $input: UpdateCustomFieldInput!, $force: Boolean!) {
    updateCustomField(id: $id, input: $input, force: $force) {
      __typename
      ... on UpdateCustomFieldSuccess { invalidatedValues customField { ...RestCustomField } }
      ...RestFailure
    }
  }`,
  [RestCustomField, RestFailure],
);

export const DELETE_CUSTOM_FIELD = graphql(
  `mutation RestDeleteCustomField($id: ID!, $force: Boolean!) {
    deleteCustomField(id: $id, force: $force) {
      __typename
      ... on DeleteCustomFieldSuccess { deletedValues customField { ...RestCustomField } }
      ...RestFailure
    }
  }`,
  [RestCustomField, RestFailure],
);

/** A change log record, as the history routes map it to the vendor's snake_case (history.ts). */
const RestChange = graphql(`
  fragment RestChange on CallChange {
    sequence changeSet { id } callId field { id name } kind oldValue newValue callVersion
    actor { id username tokenId cli } channel requestId clientAddress at
  }`);

export const CALL_HISTORY = graphql(
  `query RestCallHistory($id: ID!, $first: Int!, $after: String, $field: CustomFieldRef) {
    call(id: $id) {
      history(first: $first, after: $after, field: $field) {
        pageInfo { hasNextPage }
        nodes { ...RestChange }
      }
    }
  }`,
  [RestChange],
);

export const CHANGES = graphql(
  `query RestChanges($after: String!, $first: Int!, $filter: ChangeFilter) {
    changes(after: $after, first: $first, filter: $filter) {
      pageInfo { hasNextPage }
      nodes { ...RestChange }
    }
  }`,
  [RestChange],
);

const RestWebhook = graphql(`
  fragment RestWebhook on WebhookEndpoint { id url enabled fields { id } disabledReason createdAt updatedAt }`);

const RestWebhookDelivery = graphql(`
  fragment RestWebhookDelivery on WebhookDelivery {
    id eventId type callId cursor status nextAttemptAt lastError createdAt finishedAt
    attempts { attempt startedAt durationMs statusCode error }
  }`);

export const LIST_WEBHOOKS = graphql(`query RestListWebhooks { webhookEndpoints { ...RestWebhook } }`, [RestWebhook]);

export const GET_WEBHOOK = graphql(`query RestGetWebhook($id: ID!) { webhookEndpoint(id: $id) { ...RestWebhook } }`, [RestWebhook]);

export const WEBHOOK_DELIVERIES = graphql(
  `query RestWebhookDeliveries($id: ID!, $first: Int!, $after: String) {
    webhookEndpoint(id: $id) {
      deliveries(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { ...RestWebhookDelivery } }
      }
    }
  }`,
  [RestWebhookDelivery],
);

export const CREATE_WEBHOOK = graphql(
  `mutation RestCreateWebhook($url: String!, $fields: [CustomFieldRef!], $enabled: Boolean) {
    createWebhookEndpoint(url: $url, fields: $fields, enabled: $enabled) {
      __typename
      ... on CreateWebhookEndpointSuccess { secret endpoint { ...RestWebhook } }
      ...RestFailure
    }
  }`,
  [RestWebhook, RestFailure],
);

export const UPDATE_WEBHOOK = graphql(
  `mutation RestUpdateWebhook($id: ID!, $url: String, $fields: [CustomFieldRef!], $enabled: Boolean) {
    updateWebhookEndpoint(id: $id, url: $url, fields: $fields, enabled: $enabled) {
      __typename
      ... on WebhookEndpointSuccess { endpoint { ...RestWebhook } }
      ...RestFailure
    }
  }`,
  [RestWebhook, RestFailure],
);

export const DELETE_WEBHOOK = graphql(
  `mutation RestDeleteWebhook($id: ID!) {
    deleteWebhookEndpoint(id: $id) { __typename ... on WebhookEndpointSuccess { endpoint { ...RestWebhook } } ...RestFailure }
  }`,
  [RestWebhook, RestFailure],
);

export const ROTATE_WEBHOOK_SECRET = graphql(
  `mutation RestRotateWebhookSecret($id: ID!, $overlapSeconds: Int) {
    rotateWebhookSecret(id: $id, overlapSeconds: $overlapSeconds) {
      __typename
      ... on RotateWebhookSecretSuccess { secret previousSecretExpiresAt endpoint { ...RestWebhook } }
      ...RestFailure
    }
  }`,
  [RestWebhook, RestFailure],
);

export const SEND_WEBHOOK_TEST_EVENT = graphql(
  `mutation RestSendWebhookTestEvent($id: ID!) {
    sendWebhookTestEvent(id: $id) { __typename ... on WebhookDeliverySuccess { delivery { ...RestWebhookDelivery } } ...RestFailure }
  }`,
  [RestWebhookDelivery, RestFailure],
);

export const REDELIVER_WEBHOOK_EVENT = graphql(
  `mutation RestRedeliverWebhookEvent($id: ID!) {
    redeliverWebhookEvent(deliveryId: $id) { __typename ... on WebhookDeliverySuccess { delivery { ...RestWebhookDelivery } } ...RestFailure }
  }`,
  [RestWebhookDelivery, RestFailure],
);

export type RestCall = ResultOf<typeof RestCall>;
export type RestWebhook = ResultOf<typeof RestWebhook>;
export type RestWebhookDelivery = ResultOf<typeof RestWebhookDelivery>;
export type RestChange = ResultOf<typeof RestChange>;
export type RestCustomField = ResultOf<typeof RestCustomField>;
