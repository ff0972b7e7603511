export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['view_calls', 'edit_calls', 'administer'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['view_calls', 'edit_calls', 'administer'],
  editor: ['view_calls', 'edit_calls'],
  viewer: ['view_calls'],
};

/** admin does everything; editor views and edits its tenant's calls; viewer only views. */
export function permissionsOf(role: Role): readonly Permission[] {
  return GRANTS[role];
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export const FORBIDDEN_MESSAGE = 'API user has no permission to update call records';
export const FIELDS_FORBIDDEN_MESSAGE = 'API user has no permission to administer custom fields';
export const USERS_FORBIDDEN_MESSAGE = 'API user has no permission to administer API users';
export const WEBHOOKS_FORBIDDEN_MESSAGE = 'API user has no permission to administer webhooks';
