type UserSummaryColumn = 'id' | 'username' | 'role' | 'disabled' | 'createdAt';
type TokenSummaryColumn = 'id' | 'name' | 'createdAt' | 'revokedAt';

/**
 * What administrators see of a user and of a token (ApiUserSummary,
 * ApiTokenSummary: never a password hash, a token's secret or its hash), as
 * the columns to select from either dialect's tables.
 */
export const userSummaryColumns = <Users extends Record<UserSummaryColumn, unknown>>(users: Users): Pick<Users, UserSummaryColumn> => ({
  id: users.id,
  username: users.username,
  role: users.role,
  disabled: users.disabled,
  createdAt: users.createdAt,
});

export const tokenSummaryColumns = <Tokens extends Record<TokenSummaryColumn, unknown>, Users extends Record<'username', unknown>>(
  tokens: Tokens,
  users: Users,
): Pick<Tokens, TokenSummaryColumn> & Pick<Users, 'username'> => ({
  id: tokens.id,
  name: tokens.name,
  username: users.username,
  createdAt: tokens.createdAt,
  revokedAt: tokens.revokedAt,
});
