import type { ObjectRef, SchemaTypes } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { ApiUserProblem } from '../core/api-user.js';
import { can, USERS_FORBIDDEN_MESSAGE } from '../core/permissions.js';
import type { Viewer } from '../core/viewer.js';
import { decideAccountWindow, decodeTokenCursor, decodeUserCursor, tokenCursor, userCursor, type AccountWindow } from '../core/account-list.js';
import { pageInfoOf } from '../core/call-list.js';
import type { AccountPage, ApiTokenSummary, ApiUserSummary } from '../store/call-store.js';
import { builder } from './builder.js';
import { PageInfoRef, selects, type PageInfoSource } from './call-list.js';
import { badUserInput, ForbiddenError, inputDetail, InvalidRecordError } from './errors.js';
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

/** What createApiUser and updateApiUser return on success: one payload type for both. */
export const ApiUserSuccessRef = builder.objectRef<{ user: ApiUserSummary }>('ApiUserSuccess').implement({
  description: 'The API user was created (createApiUser) or changed (updateApiUser).',
  fields: (t) => ({ user: t.field({ type: ApiUserRef, description: 'The user as it is now.', resolve: (result) => result.user }) }),
});

/** Admin mutations on users and tokens refuse other roles before anything else. */
export function requireUserAdmin(viewer: Viewer): void {
  if (!can(viewer.role, 'administer')) throw new ForbiddenError(USERS_FORBIDDEN_MESSAGE);
}

export const invalidInput = (problems: ApiUserProblem[]) => new InvalidRecordError(problems.map(inputDetail));

/** The lists are plain lists, so a refusal is a GraphQL error (code FORBIDDEN) beside a null list, not a result member. */
function requireListAdmin(viewer: Viewer): void {
  if (!can(viewer.role, 'administer')) {
    throw new GraphQLError(USERS_FORBIDDEN_MESSAGE, { extensions: { code: 'FORBIDDEN' } });
  }
}

interface AccountConnectionSource<Row> {
  edges: { cursor: string; node: Row }[];
  pageInfo: PageInfoSource;
  totalCount: () => Promise<number>;
}

/** A Relay connection type of an admin list, around its edge type. */
const accountConnectionType = <Row>(name: string, what: string, edge: ObjectRef<BuilderTypes, AccountConnectionSource<Row>['edges'][number]>) =>
  builder.objectRef<AccountConnectionSource<Row>>(name).implement({
    description: `A page of ${what}s.`,
    fields: (t) => ({
      edges: t.field({ type: [edge], description: `The ${what}s on this page, in list order.`, resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfoRef, description: 'Where this page lies.', resolve: (c) => c.pageInfo }),
      totalCount: t.int({ description: `How many ${what}s the tenant has, on all pages.`, resolve: (c) => c.totalCount() }),
    }),
  });

const ApiUserConnectionRef = accountConnectionType(
  'ApiUserConnection',
  'API user',
  builder.objectRef<AccountConnectionSource<ApiUserSummary>['edges'][number]>('ApiUserEdge').implement({
    description: 'One API user on a page, with its cursor.',
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque; stays valid when users are added or removed.' }),
      node: t.field({ type: ApiUserRef, description: 'The API user.', resolve: (edge) => edge.node }),
    }),
  }),
);

const ApiTokenConnectionRef = accountConnectionType(
  'ApiTokenConnection',
  'API token',
  builder.objectRef<AccountConnectionSource<ApiTokenSummary>['edges'][number]>('ApiTokenEdge').implement({
    description: 'One API token on a page, with its cursor.',
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Opaque; stays valid when tokens are added or revoked.' }),
      node: t.field({ type: ApiTokenRef, description: 'The API token.', resolve: (edge) => edge.node }),
    }),
  }),
);

/** A page of an admin list for Relay: edges with cursors, page info, and a total counted only when asked. */
async function accountConnectionOf<Key, Row>(
  window: AccountWindow<Key>,
  readPage: (withTotal: boolean) => Promise<AccountPage<Row>>,
  cursorOf: (row: Row) => string,
  countTotal: boolean,
): Promise<AccountConnectionSource<Row>> {
  const page = await readPage(countTotal);
  const edges = page.rows.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { ...pageInfoOf(window, page), startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: async () => page.total ?? (await readPage(true)).total ?? 0,
  };
}

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types extends SchemaTypes> ? Types : never;
type QueryFieldBuilder = Parameters<Parameters<typeof builder.queryField>[1]>[0];

const pageArgs = (t: QueryFieldBuilder, what: string) => ({
  first: t.arg.int({ description: `The first this many ${what}s after \`after\` (default 20, at most 1000).` }),
  after: t.arg.string({ description: `A cursor: start after this ${what}.` }),
  last: t.arg.int({ description: `The last this many ${what}s before \`before\` (at most 1000).` }),
  before: t.arg.string({ description: `A cursor: end before this ${what}.` }),
});

builder.queryField('apiUsers', (t) =>
  t.field({
    type: ApiUserConnectionRef,
    nullable: true,
    description:
      'The API users of the viewer\'s tenant, by username, a page at a time (admin only; Relay cursor pagination as `calls`: ' +
      '`first` and `last` default to 20 and may be at most 1000). Null, with a FORBIDDEN error at this path, for other roles, ' +
      'or with a BAD_USER_INPUT error when an argument is refused; the rest of the document still answers.',
    args: pageArgs(t, 'user'),
    resolve: async (_root, args, { store, viewer }, info) => {
      requireListAdmin(viewer);
      const decision = decideAccountWindow(args, decodeUserCursor);
      if (!decision.ok) throw badUserInput(decision.message);
      const { window } = decision;
      return accountConnectionOf(
        window,
        (withTotal) => store.pageApiUsers({ tenantId: viewer.tenantId, window, withTotal }),
        (user) => userCursor(user.username),
        selects(info, 'totalCount'),
      );
    },
  }),
);

builder.queryField('apiTokens', (t) =>
  t.field({
    type: ApiTokenConnectionRef,
    nullable: true,
    description:
      'The API tokens of the viewer\'s tenant\'s users, revoked ones included, oldest first, a page at a time (admin only; ' +
      'Relay cursor pagination as `calls`: `first` and `last` default to 20 and may be at most 1000). Never their secrets. ' +
      'Null, with a FORBIDDEN error at this path, for other roles, or with a BAD_USER_INPUT error when an argument is refused; ' +
      'the rest of the document still answers.',
    args: pageArgs(t, 'token'),
    resolve: async (_root, args, { store, viewer }, info) => {
      requireListAdmin(viewer);
      const decision = decideAccountWindow(args, decodeTokenCursor);
      if (!decision.ok) throw badUserInput(decision.message);
      const { window } = decision;
      return accountConnectionOf(
        window,
        (withTotal) => store.pageApiTokens({ tenantId: viewer.tenantId, window, withTotal }),
        tokenCursor,
        selects(info, 'totalCount'),
      );
    },
  }),
);
