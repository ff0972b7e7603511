import { createHmac, randomBytes } from 'node:crypto';
import { LoginThrottle } from '../core/login-throttle.js';
import type { Viewer } from '../core/viewer.js';
import type { ApiUserRecord, CredentialKey } from '../core/api-user.js';
import { hashApiToken, hashPassword, needsRehash, SCRYPT_COST, verifyPassword, type ScryptCost } from './credentials.js';

export const REALM = 'callgate';
export const CHALLENGE = `Basic realm="${REALM}"`;

export interface AuthenticatorOptions {
  /** How long a verified Basic login is trusted without running scrypt again. */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  now?: () => number;
  /** The password check; tests count its calls. */
  verifyPassword?: typeof verifyPassword;
  /** Backoff for failed password logins per username and per client address. */
  throttle?: LoginThrottle;
  /** The cost a stored hash is brought to on a successful login; SCRYPT_COST except in tests. */
  passwordCost?: ScryptCost;
  /** Remember whom each token was admitted as, for `recall` (where the store can confirm a recalled viewer). */
  rememberTokens?: boolean;
}

/** What authentication reads and writes of API users; the store provides it. */
export interface UserDirectory {
  findUserByUsername(username: string): Promise<ApiUserRecord | null>;
  findUserByTokenHash(tokenHash: string): Promise<ApiUserRecord | null>;
  /** Replaces a password hash with a new hash of the same password while the stored one is still `from`. */
  replacePasswordHash(command: { userId: string; from: string; to: string }): Promise<boolean>;
}

/** The outcome of checking a request's credentials. */
export type Authentication =
  | { kind: 'viewer'; viewer: Viewer }
  | { kind: 'refused' }
  | { kind: 'throttled'; retryAfterSeconds: number };

const REFUSED: Authentication = { kind: 'refused' };

interface CachedLogin {
  passwordHash: string;
  expiresAt: number;
  /** Whom the login was last admitted as. */
  viewer?: Viewer;
}

/**
 * A viewer recalled from an earlier check of the same credentials, not yet
 * trusted: the request may be served on it only if the user row its
 * credential names, read afresh, `confirms` it (auth/provisional.ts).
 */
export interface RecalledViewer {
  viewer: Viewer;
  credential: CredentialKey;
  /**
   * Whether `check` would admit this user row (null: no such user or live
   * token) as exactly this viewer, with the state it has now. A false
   * forgets the recollection.
   */
  confirms(user: ApiUserRecord | null): boolean;
}

const toViewer = (user: ApiUserRecord): Viewer => ({
  userId: user.id,
  username: user.username,
  role: user.role,
  tenantId: user.tenantId,
  tenantName: user.tenantName,
  tokenId: user.tokenId ?? null,
});

const sameViewer = (a: Viewer, b: Viewer) =>
  a.userId === b.userId && a.username === b.username && a.role === b.role && a.tenantId === b.tenantId && a.tenantName === b.tenantName && a.tokenId === b.tokenId;

/** An Authorization header's scheme (lower case) and credentials, or null when it has no credentials. */
function splitAuthorization(authorization: string | null): { scheme: string; credentials: string } | null {
  if (!authorization) return null;
  const space = authorization.indexOf(' ');
  const credentials = authorization.slice(space + 1).trim();
  return space < 0 || !credentials ? null : { scheme: authorization.slice(0, space).toLowerCase(), credentials };
}

/** Sets a map's entry as its newest, dropping the oldest beyond `max` entries. */
function putNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}

function parseBasic(encoded: string): { username: string; password: string } | null {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Checks HTTP Basic and Bearer credentials. A verified Basic login is cached
 * under a keyed hash of the credentials, together with the password hash it
 * was verified against: the user row is read on every request, so a disabled
 * user or a changed password takes effect at once. A successful login whose
 * stored hash was made at another cost re-hashes the password at the current
 * one, so a user's logins stop paying an older release's 128 MiB scrypt.
 * Concurrent requests with the same credentials share one verification.
 */
export class Authenticator {
  private readonly cache = new Map<string, CachedLogin>();
  /** Whom each token was last admitted as, by its hash: for `recall`, never trusted by itself. */
  private readonly tokens = new Map<string, Viewer>();
  /** Logins being verified, by credentials and the stored hash they are verified against. */
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly cacheKey = randomBytes(32);
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly verify: typeof verifyPassword;
  private readonly throttle: LoginThrottle;
  private readonly passwordCost: ScryptCost;
  private readonly rememberTokens: boolean;
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly store: UserDirectory,
    options: AuthenticatorOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 60_000;
    this.maxEntries = options.cacheMaxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    this.verify = options.verifyPassword ?? verifyPassword;
    this.throttle = options.throttle ?? new LoginThrottle();
    this.passwordCost = options.passwordCost ?? SCRYPT_COST;
    this.rememberTokens = options.rememberTokens ?? false;
  }

  /** Resolves the Authorization header to a viewer, or null for missing, bad or throttled credentials. */
  async authenticate(authorization: string | null, clientAddress: string | null = null): Promise<Viewer | null> {
    const outcome = await this.check(authorization, clientAddress);
    return outcome.kind === 'viewer' ? outcome.viewer : null;
  }

  /**
   * Checks Basic or Bearer credentials. Failed password logins are throttled
   * per username and per client address; tokens are never throttled by a
   * username, so an attacker cannot lock a user's integrations out.
   */
  async check(authorization: string | null, clientAddress: string | null = null): Promise<Authentication> {
    const presented = splitAuthorization(authorization);
    if (!presented) return REFUSED;
    const { scheme, credentials } = presented;
    if (scheme === 'bearer') {
      const tokenHash = hashApiToken(credentials);
      const user = await this.store.findUserByTokenHash(tokenHash);
      if (!user || user.disabled) return REFUSED;
      const viewer = toViewer(user);
      if (this.rememberTokens) putNewest(this.tokens, tokenHash, viewer, this.maxEntries);
      return { kind: 'viewer', viewer };
    }
    if (scheme === 'basic') {
      const login = parseBasic(credentials);
      return login ? this.checkBasic(login.username, login.password, clientAddress) : REFUSED;
    }
    return REFUSED;
  }

  private async checkBasic(username: string, password: string, clientAddress: string | null): Promise<Authentication> {
    const user = await this.store.findUserByUsername(username);
    const key = this.loginKey(username, password);
    const cached = this.cache.get(key);
    const now = this.now();
    // A login verified moments ago proves the password: it passes even while the name is under attack.
    if (user && cached && cached.expiresAt > now && cached.passwordHash === user.passwordHash) {
      return user.disabled ? REFUSED : this.admitLogin(key, user);
    }
    const keys = clientAddress ? [`user:${username}`, `addr:${clientAddress}`] : [`user:${username}`];
    const waitMs = this.throttle.retryAfterMs(keys, now);
    if (waitMs > 0) return { kind: 'throttled', retryAfterSeconds: Math.ceil(waitMs / 1000) };
    const verified = await this.sharedLogin(key, username, password, user);
    if (!user || !verified) {
      // Each refused request counts one failure, as when each ran its own scrypt: the requests sharing
      // a verification may come from different addresses, and each address is throttled on its own.
      this.throttle.recordFailure(keys, this.now());
      return REFUSED;
    }
    return user.disabled ? REFUSED : this.admitLogin(key, user);
  }

  /** Admits a verified login, and remembers as whom for `recall`. */
  private admitLogin(key: string, user: ApiUserRecord): Authentication {
    const viewer = toViewer(user);
    const cached = this.cache.get(key);
    if (cached) cached.viewer = viewer;
    return { kind: 'viewer', viewer };
  }

  /**
   * The viewer these credentials were last admitted as, while that is known
   * (a token checked on this instance with `rememberTokens`, a login still in
   * the cache); null otherwise. Nothing is read: the caller must have the recollection
   * confirmed by the user row its credential names, read afresh.
   */
  recall(authorization: string | null): RecalledViewer | null {
    const presented = splitAuthorization(authorization);
    if (!presented) return null;
    if (presented.scheme === 'bearer') {
      const tokenHash = hashApiToken(presented.credentials);
      const viewer = this.tokens.get(tokenHash);
      if (!viewer) return null;
      return {
        viewer,
        credential: { kind: 'token', tokenHash },
        confirms: (user) => {
          const confirmed = user !== null && !user.disabled && sameViewer(toViewer(user), viewer);
          if (!confirmed) this.tokens.delete(tokenHash);
          return confirmed;
        },
      };
    }
    if (presented.scheme !== 'basic') return null;
    const login = parseBasic(presented.credentials);
    if (!login) return null;
    const key = this.loginKey(login.username, login.password);
    const cached = this.cache.get(key);
    const viewer = cached?.viewer;
    if (!cached || !viewer || cached.expiresAt <= this.now()) return null;
    return {
      viewer,
      credential: { kind: 'username', username: login.username },
      // As checkBasic's cached login: the password verified against the hash the user still has, the user enabled.
      confirms: (user) =>
        user !== null && cached.expiresAt > this.now() && cached.passwordHash === user.passwordHash && !user.disabled && sameViewer(toViewer(user), viewer),
    };
  }

  /** Where a login is cached: a keyed hash of its credentials. */
  private loginKey(username: string, password: string): string {
    return createHmac('sha256', this.cacheKey).update(username).update('\0').update(password).digest('base64');
  }

  /**
   * Verifies a password once for all concurrent requests with the same
   * credentials against the same stored hash; the entry goes when the login
   * has settled, by which time a success is in the cache.
   */
  private sharedLogin(key: string, username: string, password: string, user: ApiUserRecord | null): Promise<boolean> {
    const flightKey = `${key}\0${user?.passwordHash ?? ''}`;
    const inFlight = this.inFlight.get(flightKey);
    if (inFlight) return inFlight;
    const login = this.login(key, username, password, user).finally(() => {
      if (this.inFlight.get(flightKey) === login) this.inFlight.delete(flightKey);
    });
    this.inFlight.set(flightKey, login);
    return login;
  }

  private async login(key: string, username: string, password: string, user: ApiUserRecord | null): Promise<boolean> {
    // An unknown user costs one scrypt as well, so timing does not tell who exists.
    const verified = await this.verify(password, user?.passwordHash ?? (await this.decoy()));
    if (!user || !verified) return false;
    this.throttle.recordSuccess([`user:${username}`]);
    this.remember(key, user.disabled ? user.passwordHash : await this.upgradedHash(user, password));
    return true;
  }

  /** The user's hash after a verified login: a new one at the current cost where the stored one has another. */
  private async upgradedHash(user: ApiUserRecord, password: string): Promise<string> {
    if (!needsRehash(user.passwordHash, this.passwordCost)) return user.passwordHash;
    try {
      const upgraded = await hashPassword(password, this.passwordCost);
      return (await this.store.replacePasswordHash({ userId: user.id, from: user.passwordHash, to: upgraded })) ? upgraded : user.passwordHash;
    } catch {
      // The login stands with the old hash; the next login that runs scrypt tries again.
      return user.passwordHash;
    }
  }

  private remember(key: string, passwordHash: string): void {
    putNewest(this.cache, key, { passwordHash, expiresAt: this.now() + this.ttlMs }, this.maxEntries);
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return this.decoyHash;
  }
}
