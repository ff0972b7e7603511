import type { Viewer } from '../http/auth.js';
import type { CallStore } from '../store/call-store.js';

/** Secrets the admin mutations make: injected, so tests and the server decide how they are made. */
export interface CredentialFactory {
  hashPassword(password: string): Promise<string>;
  /** A fresh API token: the secret shown once, and the hash that is stored. */
  newApiToken(): { secret: string; hash: string };
}

export interface GraphQLContext {
  store: CallStore;
  viewer: Viewer;
  clock: () => Date;
  credentials: CredentialFactory;
}
