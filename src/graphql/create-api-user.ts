import { randomUUID } from 'node:crypto';
import { API_USER_MESSAGES, checkNewApiUser } from '../core/api-user.js';
import { DuplicateError } from '../store/call-store.js';
import { ApiUserSuccessRef, invalidInput, requireUserAdmin } from './api-user.js';
import { builder } from './builder.js';
import { ConflictError, ForbiddenError, InvalidRecordError } from './errors.js';
import { RoleEnum } from './viewer.js';

const CreateApiUserInput = builder.inputType('CreateApiUserInput', {
  description: 'A new API user of the viewer\'s tenant. Usernames are unique across tenants.',
  fields: (t) => ({
    username: t.string({ required: true, description: '1 to 64 characters, trimmed, without ":".' }),
    password: t.string({ required: true, description: '8 to 1024 characters; stored as a scrypt hash.' }),
    role: t.field({ type: RoleEnum, required: true, description: 'What the user may do.' }),
  }),
});

builder.mutationField('createApiUser', (t) =>
  t.field({
    type: ApiUserSuccessRef,
    description: 'Creates an API user in the viewer\'s tenant (admin only).',
    errors: {
      types: [InvalidRecordError, ForbiddenError, ConflictError],
      directResult: true,
      union: {
        name: 'CreateApiUserResult',
        description:
          'ApiUserSuccess when the user was created; ForbiddenError when the viewer is not an admin; InvalidRecordError ' +
          'when the input is invalid (every problem listed); ConflictError (DUPLICATE) when the username is taken.',
      },
    },
    args: { input: t.arg({ type: CreateApiUserInput, required: true, description: 'The new user.' }) },
    resolve: async (_root, { input }, { store, viewer, clock, credentials }) => {
      requireUserAdmin(viewer);
      const { username, problems } = checkNewApiUser(input);
      if (problems.length > 0) throw invalidInput(problems);
      const duplicate = () => new ConflictError(API_USER_MESSAGES.duplicateUsername, 'duplicate');
      if (await store.findUserByUsername(username)) throw duplicate();
      const user = { id: randomUUID(), username, role: input.role, disabled: false, createdAt: clock().toISOString() };
      const passwordHash = await credentials.hashPassword(input.password);
      try {
        await store.createApiUser({ id: user.id, tenantId: viewer.tenantId, username, passwordHash, role: user.role, now: user.createdAt });
      } catch (error) {
        if (error instanceof DuplicateError) throw duplicate();
        throw error;
      }
      return { user };
    },
  }),
);
