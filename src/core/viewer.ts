import type { Role } from './permissions.js';

/** The authenticated API user a request acts as: every read and write is scoped to its tenant and allowed by its role. */
export interface Viewer {
  userId: string;
  username: string;
  role: Role;
  tenantId: string;
  tenantName: string;
  /** The API token the request authenticated with; null for a password (Basic) login. */
  tokenId: string | null;
}
