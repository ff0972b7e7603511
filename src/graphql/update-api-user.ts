import { checkApiUserPatch, decideApiUserUpdate } from '../core/api-user.js';
import { ApiUserSuccessRef, invalidInput, requireUserAdmin } from './api-user.js';
import { builder } from './builder.js';
import { ConflictError, ForbiddenError, InvalidRecordError, NotFoundError } from './errors.js';
import { RoleEnum } from './viewer.js';

const UpdateApiUserInput = builder.inputType('UpdateApiUserInput', {
  description: 'Changes to an API user; an attribute left out keeps its value. Every change applies from the user\'s next request.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, description: 'A new role.' }),
    password: t.string({ description: 'A new password (8 to 1024 characters); logins with the old one are refused at once.' }),
    disabled: t.boolean({ description: 'A disabled user (and each of its tokens) is refused with 401.' }),
  }),
});

const notFound = () => new NotFoundError('API user not found');

builder.mutationField('updateApiUser', (t) =>
  t.field({
    type: ApiUserSuccessRef,
    description:
      'Changes the role, password or disabled flag of an API user of the viewer\'s tenant (admin only). The tenant\'s ' +
      'last active admin cannot be disabled or demoted (ConflictError).',
    errors: {
      types: [InvalidRecordError, NotFoundError, ForbiddenError, ConflictError],
      directResult: true,
      union: {
        name: 'UpdateApiUserResult',
        description:
          'ApiUserSuccess when the user was changed; ForbiddenError when the viewer is not an admin; NotFoundError when the ' +
          'tenant has no such user; InvalidRecordError when the input is invalid (every problem listed); ConflictError ' +
          '(LAST_ADMIN) when the change would leave the tenant without an active admin.',
      },
    },
    args: {
      username: t.arg.string({ required: true, description: 'The user to change.' }),
      input: t.arg({ type: UpdateApiUserInput, required: true, description: 'The changes.' }),
    },
    resolve: async (_root, { username, input }, { store, viewer, credentials }) => {
      requireUserAdmin(viewer);
      const problems = checkApiUserPatch(input);
      if (problems.length > 0) throw invalidInput(problems);
      const existing = await store.findUserByUsername(username);
      if (!existing || existing.tenantId !== viewer.tenantId) throw notFound();
      const passwordHash = input.password == null ? undefined : await credentials.hashPassword(input.password);
      const outcome = await store.updateApiUser({
        tenantId: viewer.tenantId,
        username,
        change: { role: input.role ?? undefined, disabled: input.disabled ?? undefined, passwordHash },
        decide: (user, tenantUsers) => decideApiUserUpdate(user, input, tenantUsers),
      });
      switch (outcome.kind) {
        case 'not_found':
          throw notFound();
        case 'refused':
          throw new ConflictError(outcome.message, 'last_admin');
        case 'updated':
          return { user: outcome.user };
      }
    },
  }),
);
