// ESLint runs graphql-eslint over the printed schema (`npm run lint:schema`, run by .ci/run): its schema rules
// (flat/schema-recommended) and its Relay rules (flat/schema-relay). Every rule turned off or tuned says why.
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

export default [
  {
    files: ['schema/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema/*.graphql' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      ...graphqlPlugin.configs['flat/schema-relay'].rules,
      // Tuned: results, pages and failures are not entities, so they have no id: the *Success payloads, the *Error
      // union members, connections and edges, PageInfo, ValidationDetail; a CustomFieldValue is identified by its call
      // and its field; Viewer is the requesting ApiUser, and an `id` there would repeat that user's id under a second
      // type in normalized client caches; a ChangeActor is a reference to an ApiUser (or the CLI, which has no id).
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          acceptedIdNames: ['id'],
          acceptedIdTypes: ['ID'],
          exceptions: {
            suffixes: ['Success', 'Error', 'Connection', 'Edge'],
            types: ['PageInfo', 'ValidationDetail', 'CustomFieldValue', 'Viewer', 'ChangeActor', 'BulkEditPreviewCall', 'BulkEditPreviewValue', 'WebhookAttempt'],
          },
        },
      ],
      // Tuned: the unbounded lists (calls, API users, API tokens) are connections; the other lists are bounded and
      // read whole (a field's options and previous names, a call's values, the tenant's field definitions, a role's
      // permissions, an error's details). ApiUser and ApiToken are admin records that `node(id:)` does not resolve
      // (it resolves calls and custom fields), so their edges' nodes do not implement Node.
      '@graphql-eslint/relay-edge-types': ['error', { listTypeCanWrapOnlyEdgeType: false, shouldImplementNode: false }],
      // Tuned: a connection pages forward, backward or both; a webhook endpoint's deliveries (newest first) page forward only.
      '@graphql-eslint/relay-arguments': ['error', { includeBoth: false }],
      // Tuned, stricter than recommended: every field, argument, input field and enum value needs a description too,
      // not only types and root fields (test/graphql/schema-descriptions.test.ts checks the same from the built schema).
      '@graphql-eslint/require-description': [
        'error',
        { types: true, rootField: true, DirectiveDefinition: true, FieldDefinition: true, InputValueDefinition: true, EnumValueDefinition: true },
      ],
      // Off: its one finding is `Node.nodeId`, the deprecated alias kept for one release beside `id`
      // (docs/graphql.md, "Node ids for Relay"); turn it back on when `nodeId` is removed.
      '@graphql-eslint/no-typename-prefix': 'off',
    },
  },
];
