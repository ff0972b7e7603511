import { beforeEach, expect, it } from 'vitest';
import { createTestApp } from '../support/fixtures.js';

let t: Awaited<ReturnType<typeof createTestApp>>;
beforeEach(async () => {
  t = await createTestApp();
});

/** Each result union lists exactly what its mutation's resolver can return. */
const MEMBERS: Record<string, string[]> = {
  CreateApiTokenResult: ['CreateApiTokenSuccess', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError'],
  CreateApiUserResult: ['ApiUserSuccess', 'ConflictError', 'ForbiddenError', 'InvalidRecordError'],
  CreateCustomFieldResult: ['ConflictError', 'CreateCustomFieldSuccess', 'ForbiddenError', 'InvalidRecordError'],
  CreateWebhookEndpointResult: ['CreateWebhookEndpointSuccess', 'ForbiddenError', 'InvalidRecordError'],
  DeleteWebhookEndpointResult: ['ForbiddenError', 'NotFoundError', 'WebhookEndpointSuccess'],
  RedeliverWebhookEventResult: ['ForbiddenError', 'NotFoundError', 'WebhookDeliverySuccess'],
  RotateWebhookSecretResult: ['ForbiddenError', 'InvalidRecordError', 'NotFoundError', 'RotateWebhookSecretSuccess'],
  SendWebhookTestEventResult: ['ForbiddenError', 'NotFoundError', 'WebhookDeliverySuccess'],
  UpdateWebhookEndpointResult: ['ForbiddenError', 'InvalidRecordError', 'NotFoundError', 'WebhookEndpointSuccess'],
  DeleteCustomFieldResult: ['ConflictError', 'DeleteCustomFieldSuccess', 'ForbiddenError', 'NotFoundError'],
  RevokeApiTokenResult: ['ForbiddenError', 'NotFoundError', 'RevokeApiTokenSuccess'],
  SetCallCustomFieldsResult: ['ConflictError', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError', 'SetCallCustomFieldsSuccess'],
  SetCustomFieldsOnCallsResult: ['ConflictError', 'ForbiddenError', 'InvalidRecordError', 'SetCustomFieldsOnCallsSuccess'],
  UpdateApiUserResult: ['ApiUserSuccess', 'ConflictError', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError'],
  UpdateCustomFieldResult: ['ConflictError', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError', 'UpdateCustomFieldSuccess'],
};

it('introspection shows each result union with exactly the members its mutation returns, and no other union', async () => {
  const { body } = await t.graphql('{ __schema { types { kind name possibleTypes { name } } } }', {}, 'admin');
  const unions = (body.data.__schema.types as { kind: string; name: string; possibleTypes: { name: string }[] }[]).filter((type) => type.kind === 'UNION');
  expect(Object.fromEntries(unions.map((union) => [union.name, union.possibleTypes.map((member) => member.name).sort()]))).toEqual(MEMBERS);
});

it('createApiUser and updateApiUser answer the one payload type ApiUserSuccess', async () => {
  const USER = '__typename ... on ApiUserSuccess { user { username role disabled } } ... on Error { message }';
  const created = await t.graphql(`mutation { createApiUser(input: { username: "ops", password: "long enough", role: VIEWER }) { ${USER} } }`, {}, 'admin');
  expect(created.body).toEqual({ data: { createApiUser: { __typename: 'ApiUserSuccess', user: { username: 'ops', role: 'VIEWER', disabled: false } } } });
  const updated = await t.graphql(`mutation { updateApiUser(username: "ops", input: { role: EDITOR }) { ${USER} } }`, {}, 'admin');
  expect(updated.body).toEqual({ data: { updateApiUser: { __typename: 'ApiUserSuccess', user: { username: 'ops', role: 'EDITOR', disabled: false } } } });
  const { body } = await t.graphql('{ old: __type(name: "CreateApiUserSuccess") { name } alsoOld: __type(name: "UpdateApiUserSuccess") { name } }', {}, 'admin');
  expect(body.data).toEqual({ old: null, alsoOld: null });
});

it('a fragment on a member the union no longer has is refused before anything runs', async () => {
  const tokens = await t.store.listApiTokens(t.tenantId);
  const { body } = await t.graphql(`mutation { revokeApiToken(id: "${tokens[0]!.id}") { __typename ... on ConflictError { reason } } }`, {}, 'admin');
  expect(body.data).toBeUndefined();
  expect(body.errors).toEqual([
    expect.objectContaining({ message: 'Fragment cannot be spread here as objects of type "RevokeApiTokenResult" can never be of type "ConflictError".' }),
  ]);
  expect((await t.store.listApiTokens(t.tenantId))[0]!.revokedAt).toBeNull();
});

it('every custom scalar names its specification', async () => {
  const { body } = await t.graphql('{ dateTime: __type(name: "DateTime") { specifiedByURL } safeInt: __type(name: "SafeInt") { specifiedByURL } }', {}, 'admin');
  expect(body.data).toEqual({
    dateTime: { specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339' },
    safeInt: { specifiedByURL: 'https://tc39.es/ecma262/#sec-number.max_safe_integer' },
  });
});
