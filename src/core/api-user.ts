import type { Role } from './permissions.js';

export const MAX_USERNAME_LENGTH = 64;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;
export const MAX_TOKEN_NAME_LENGTH = 64;
export const DEFAULT_TOKEN_NAME = 'api';

export type ApiUserAttribute = 'username' | 'password' | 'role' | 'disabled' | 'name';

export interface ApiUserProblem {
  attribute: ApiUserAttribute;
  message: string;
}

/** An API user as authentication reads it: who, in which tenant, with which role and password hash. */
/** A request's credential as a user is found by it: a token's hash (Bearer) or a username (Basic). */
export type CredentialKey = { kind: 'token'; tokenHash: string } | { kind: 'username'; username: string };

export interface ApiUserRecord {
  id: string;
  tenantId: string;
  tenantName: string;
  username: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  /** The token it was found by (findUserByTokenHash); absent otherwise. */
  tokenId?: string;
}

/** What the rules about users need to know of one. */
export interface ApiUserState {
  id: string;
  role: Role;
  disabled: boolean;
}

export interface ApiUserPatch {
  role?: Role | null;
  password?: string | null;
  disabled?: boolean | null;
}

export const API_USER_MESSAGES = {
  usernameRequired: 'Username is required',
  usernameTooLong: `Username is longer than ${MAX_USERNAME_LENGTH} characters`,
  usernameCharacters: 'Username must not contain ":" or control characters',
  passwordRequired: 'Password is required',
  passwordTooShort: `Password must be at least ${MIN_PASSWORD_LENGTH} characters`,
  passwordTooLong: `Password is longer than ${MAX_PASSWORD_LENGTH} characters`,
  roleRequired: 'Role is required',
  disabledRequired: 'Disabled must be true or false',
  tokenNameEmpty: 'Name must not be empty',
  tokenNameTooLong: `Name is longer than ${MAX_TOKEN_NAME_LENGTH} characters`,
  tokenNameControl: 'Name must not contain control characters',
  duplicateUsername: 'An API user with this username already exists',
  lastAdmin: 'The last active admin of a tenant cannot be disabled or lose the admin role',
} as const;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const length = (s: string) => [...s].length;

function passwordProblems(password: string | null | undefined): ApiUserProblem[] {
  const M = API_USER_MESSAGES;
  if (password == null || password === '') return [{ attribute: 'password', message: M.passwordRequired }];
  if (length(password) < MIN_PASSWORD_LENGTH) return [{ attribute: 'password', message: M.passwordTooShort }];
  if (length(password) > MAX_PASSWORD_LENGTH) return [{ attribute: 'password', message: M.passwordTooLong }];
  return [];
}

/**
 * Checks a new API user. The username is trimmed, 1 to 64 characters, without
 * ":" (HTTP Basic splits there) or control characters; passwords are 8 to
 * 1024 characters and kept exactly as given.
 */
export function checkNewApiUser(input: { username: string; password: string; role: Role | null }): {
  username: string;
  problems: ApiUserProblem[];
} {
  const M = API_USER_MESSAGES;
  const username = input.username.trim();
  const problems: ApiUserProblem[] = [];
  if (username === '') problems.push({ attribute: 'username', message: M.usernameRequired });
  else if (length(username) > MAX_USERNAME_LENGTH) problems.push({ attribute: 'username', message: M.usernameTooLong });
  else if (username.includes(':') || CONTROL.test(username)) problems.push({ attribute: 'username', message: M.usernameCharacters });
  problems.push(...passwordProblems(input.password));
  if (input.role == null) problems.push({ attribute: 'role', message: M.roleRequired });
  return { username, problems };
}

/** Checks a change to a user: each attribute given must have a value (null changes nothing and is refused). */
export function checkApiUserPatch(patch: ApiUserPatch): ApiUserProblem[] {
  const M = API_USER_MESSAGES;
  const problems: ApiUserProblem[] = [];
  if (patch.role === null) problems.push({ attribute: 'role', message: M.roleRequired });
  if (patch.password !== undefined) problems.push(...passwordProblems(patch.password));
  if (patch.disabled === null) problems.push({ attribute: 'disabled', message: M.disabledRequired });
  return problems;
}

const activeAdmin = (user: ApiUserState) => user.role === 'admin' && !user.disabled;

/**
 * A tenant keeps at least one active admin: the change is refused when it
 * would disable or demote the last one, so the tenant can always be administered.
 */
export function decideApiUserUpdate(
  user: ApiUserState,
  patch: ApiUserPatch,
  tenantUsers: readonly ApiUserState[],
): { ok: true } | { ok: false; message: string } {
  const after: ApiUserState = { ...user, role: patch.role ?? user.role, disabled: patch.disabled ?? user.disabled };
  if (activeAdmin(user) && !activeAdmin(after) && !tenantUsers.some((u) => u.id !== user.id && activeAdmin(u))) {
    return { ok: false, message: API_USER_MESSAGES.lastAdmin };
  }
  return { ok: true };
}

/** A token's label: absent means "api"; otherwise trimmed, 1 to 64 characters. */
export function checkTokenName(name: string | null | undefined): { name: string; problems: ApiUserProblem[] } {
  const M = API_USER_MESSAGES;
  if (name == null) return { name: DEFAULT_TOKEN_NAME, problems: [] };
  const trimmed = name.trim();
  const problem = (message: string) => ({ name: trimmed, problems: [{ attribute: 'name' as const, message }] });
  if (trimmed === '') return problem(M.tokenNameEmpty);
  if (length(trimmed) > MAX_TOKEN_NAME_LENGTH) return problem(M.tokenNameTooLong);
  if (CONTROL.test(trimmed)) return problem(M.tokenNameControl);
  return { name: trimmed, problems: [] };
}
