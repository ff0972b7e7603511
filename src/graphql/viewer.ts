import { permissionsOf } from '../core/permissions.js';
import type { Viewer } from '../core/viewer.js';
import { builder } from './builder.js';

export const RoleEnum = builder.enumType('Role', {
  values: { ADMIN: { value: 'admin' }, EDITOR: { value: 'editor' }, VIEWER: { value: 'viewer' } } as const,
});

const PermissionEnum = builder.enumType('Permission', {
  values: {
    VIEW_CALLS: { value: 'view_calls' },
    EDIT_CALLS: { value: 'edit_calls' },
    ADMINISTER: { value: 'administer' },
  } as const,
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The API user making the request.',
  fields: (t) => ({
    username: t.exposeString('username'),
    role: t.expose('role', { type: RoleEnum }),
    tenant: t.exposeString('tenantName', { description: 'The name of the tenant whose data this user sees.' }),
    permissions: t.field({ type: [PermissionEnum], resolve: (viewer) => [...permissionsOf(viewer.role)] }),
  }),
});

builder.queryField('viewer', (t) => t.field({ type: ViewerRef, resolve: (_root, _args, { viewer }) => viewer }));
