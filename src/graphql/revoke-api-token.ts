import { ApiTokenRef, requireUserAdmin } from './api-user.js';
import { builder } from './builder.js';
import { ConflictError, ForbiddenError, InvalidRecordError, NotFoundError } from './errors.js';

builder.mutationField('revokeApiToken', (t) =>
  t.field({
    type: ApiTokenRef,
    description: 'Revokes a token of the viewer\'s tenant (admin only): its next request is refused with 401. Revoking again changes nothing.',
    errors: {
      types: [InvalidRecordError, NotFoundError, ForbiddenError, ConflictError],
      union: {
        name: 'RevokeApiTokenResult',
        description:
          'RevokeApiTokenSuccess, or ForbiddenError (not an admin) or NotFoundError (no such token in the tenant). ' +
          'InvalidRecordError and ConflictError do not occur.',
      },
      result: { name: 'RevokeApiTokenSuccess', description: 'The token is revoked.' },
      dataField: { name: 'token', description: 'The token, with `revokedAt` set.' },
    },
    args: { id: t.arg.id({ required: true, description: 'The token UUID.' }) },
    resolve: async (_root, { id }, { store, viewer, clock }) => {
      requireUserAdmin(viewer);
      const token = await store.revokeApiToken({ tenantId: viewer.tenantId, tokenId: String(id), now: clock().toISOString() });
      if (!token) throw new NotFoundError('API token not found');
      return token;
    },
  }),
);
