import { GraphQLError } from 'graphql';
import type { ApiUserProblem } from '../core/api-user.js';
import { can, USERS_FORBIDDEN_MESSAGE } from '../core/permissions.js';
import type { Viewer } from '../core/viewer.js';
import type { ApiTokenSummary, ApiUserSummary } from '../store/call-store.js';
import { builder } from './builder.js';
import { ForbiddenError, InvalidRecordError } from './errors.js';
import { RoleEnum } from './viewer.js';

export const ApiUserRef = builder.objectRef<ApiUserSummary>('ApiUser').implement({
  description: 'An API user of the viewer\'s tenant. Its password is never shown.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The user UUID.' }),
    username: t.exposeString('username', { description: 'The login name, unique across tenants.' }),
    role: t.expose('role', { type: RoleEnum, description: 'What the user may do.' }),
    disabled: t.exposeBoolean('disabled', { description: 'A disabled user is refused (401) on every request.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the user was created.' }),
  }),
});

export const ApiTokenRef = builder.objectRef<ApiTokenSummary>('ApiToken').implement({
  description: 'A bearer token of an API user of the viewer\'s tenant. Its secret is shown once, when it is created, and never again.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The token UUID; pass it to `revokeApiToken`.' }),
    name: t.exposeString('name', { description: 'The label given when it was created.' }),
    username: t.exposeString('username', { description: 'The API user the token authenticates as.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the token was created.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked; null while it works.' }),
  }),
});

/** Admin mutations on users and tokens refuse other roles before anything else. */
export function requireUserAdmin(viewer: Viewer): void {
  if (!can(viewer.role, 'administer')) throw new ForbiddenError(USERS_FORBIDDEN_MESSAGE);
}

export const invalidInput = (problems: ApiUserProblem[]) =>
  new InvalidRecordError(problems.map((p) => ({ path: `input.${p.attribute}`, message: p.message })));

/** The lists are plain lists, so a refusal is a GraphQL error (code FORBIDDEN) beside a null list, not a result member. */
function requireListAdmin(viewer: Viewer): void {
  if (!can(viewer.role, 'administer')) {
    throw new GraphQLError(USERS_FORBIDDEN_MESSAGE, { extensions: { code: 'FORBIDDEN' } });
  }
}

builder.queryField('apiUsers', (t) =>
  t.field({
    type: [ApiUserRef],
    nullable: true,
    description:
      'The API users of the viewer\'s tenant, by username (admin only). Null, with a FORBIDDEN error at this path, ' +
      'for other roles; the rest of the document still answers.',
    resolve: (_root, _args, { store, viewer }) => {
      requireListAdmin(viewer);
      return store.listApiUsers(viewer.tenantId);
    },
  }),
);

builder.queryField('apiTokens', (t) =>
  t.field({
    type: [ApiTokenRef],
    nullable: true,
    description:
      'The API tokens of the viewer\'s tenant\'s users, revoked ones included (admin only). Never their secrets. ' +
      'Null, with a FORBIDDEN error at this path, for other roles; the rest of the document still answers.',
    resolve: (_root, _args, { store, viewer }) => {
      requireListAdmin(viewer);
      return store.listApiTokens(viewer.tenantId);
    },
  }),
);
