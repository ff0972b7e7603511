import { permissionsOf } from '../core/permissions.js';
import type { Viewer } from '../core/viewer.js';
import { builder } from './builder.js';

export const RoleEnum = builder.enumType('Role', {
  description: 'What an API user may do; each role grants a fixed set of permissions.',
  values: {
    ADMIN: { value: 'admin', description: 'Everything: VIEW_CALLS, EDIT_CALLS and ADMINISTER.' },
    EDITOR: { value: 'editor', description: 'VIEW_CALLS and EDIT_CALLS.' },
    VIEWER: { value: 'viewer', description: 'VIEW_CALLS only.' },
  } as const,
});

const PermissionEnum = builder.enumType('Permission', {
  description: 'Something a role allows.',
  values: {
    VIEW_CALLS: { value: 'view_calls', description: 'Read calls and custom fields.' },
    EDIT_CALLS: { value: 'edit_calls', description: 'Set custom field values on calls.' },
    ADMINISTER: { value: 'administer', description: 'Manage custom fields, API users and tokens.' },
  } as const,
});

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The API user making the request.',
  fields: (t) => ({
    username: t.exposeString('username', { description: 'The login name.' }),
    role: t.expose('role', { type: RoleEnum, description: 'The user\'s role.' }),
    tenant: t.exposeString('tenantName', { description: 'The name of the tenant whose data this user sees.' }),
    permissions: t.field({ type: [PermissionEnum], description: 'What the role allows.', resolve: (viewer) => [...permissionsOf(viewer.role)] }),
  }),
});

builder.queryField('viewer', (t) => t.field({ type: ViewerRef, description: 'The API user making the request.', resolve: (_root, _args, { viewer }) => viewer }));
