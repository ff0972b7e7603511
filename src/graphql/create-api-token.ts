import { randomUUID } from 'node:crypto';
import { checkTokenName } from '../core/api-user.js';
import type { ApiTokenSummary } from '../store/call-store.js';
import { ApiTokenRef, invalidInput, requireUserAdmin } from './api-user.js';
import { builder } from './builder.js';
import { ForbiddenError, InvalidRecordError, NotFoundError } from './errors.js';

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  description: 'A new bearer token for an API user of the viewer\'s tenant.',
  fields: (t) => ({
    username: t.string({ required: true, description: 'The API user the token authenticates as.' }),
    name: t.string({ description: 'A label to recognise the token by (default "api"), 1 to 64 characters.' }),
  }),
});

interface CreatedApiToken {
  token: ApiTokenSummary;
  secret: string;
}

const CreateApiTokenSuccess = builder.objectRef<CreatedApiToken>('CreateApiTokenSuccess').implement({
  description: 'The token was created.',
  fields: (t) => ({
    token: t.field({ type: ApiTokenRef, description: 'The new token.', resolve: (result) => result.token }),
    secret: t.exposeString('secret', {
      description: 'The token to send as `Authorization: Bearer <secret>`. Shown this once: only its SHA-256 is stored.',
    }),
  }),
});

builder.mutationField('createApiToken', (t) =>
  t.field({
    type: CreateApiTokenSuccess,
    description: 'Creates a bearer token for an API user of the viewer\'s tenant (admin only); the secret is in the result, once.',
    errors: {
      types: [InvalidRecordError, NotFoundError, ForbiddenError],
      directResult: true,
      union: {
        name: 'CreateApiTokenResult',
        description:
          'CreateApiTokenSuccess when the token was created; ForbiddenError when the viewer is not an admin; ' +
          'InvalidRecordError when the name is invalid; NotFoundError when the tenant has no such user.',
      },
    },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true, description: 'The user and a label.' }) },
    resolve: async (_root, { input }, { store, viewer, clock, credentials }) => {
      requireUserAdmin(viewer);
      const { name, problems } = checkTokenName(input.name);
      if (problems.length > 0) throw invalidInput(problems);
      const user = await store.findUserByUsername(input.username);
      if (!user || user.tenantId !== viewer.tenantId) throw new NotFoundError('API user not found');
      const { secret, hash } = credentials.newApiToken();
      const token: ApiTokenSummary = { id: randomUUID(), name, username: user.username, createdAt: clock().toISOString(), revokedAt: null };
      await store.createApiToken({ id: token.id, userId: user.id, name, tokenHash: hash, now: token.createdAt });
      return { token, secret };
    },
  }),
);
