import { ApiTokenRef, requireUserAdmin } from './api-user.js';
import { builder } from './builder.js';
import { ForbiddenError, NotFoundError } from './errors.js';

builder.mutationField('revokeApiToken', (t) =>
  t.field({
    type: ApiTokenRef,
    description: 'Revokes a token of the viewer\'s tenant (admin only): its next request is refused with 401. Revoking again changes nothing.',
    errors: {
      types: [NotFoundError, ForbiddenError],
      union: {
        name: 'RevokeApiTokenResult',
        description:
          'RevokeApiTokenSuccess when the token is revoked (or already was); ForbiddenError when the viewer is not an admin; ' +
          'NotFoundError when the tenant has no such token.',
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
