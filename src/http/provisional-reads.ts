import type { RecalledViewer } from '../auth/authenticator.js';
import type { ApiUserRecord } from '../core/api-user.js';
import type { CallStore, CredentialedReads, CredentialHolder } from '../store/call-store.js';

/**
 * A store call refused because the recalled viewer it would run for was not
 * confirmed: the request's result is dropped and the request served again
 * through a full check, so this is never a client's answer nor logged.
 */
export class ViewerNotConfirmedError extends Error {
  constructor() {
    super('The request is served again with its credentials checked.');
    this.name = 'ViewerNotConfirmedError';
  }
}

/** Store members that are not reads made for a viewer: they pass through unchanged (and synchronous ones stay so). */
const PASS_THROUGH = new Set<PropertyKey>(['dialect', 'credentialed', 'stats', 'watchChanges', 'webhooks', 'close', 'migrate', 'checkReady']);

export interface ProvisionalReads {
  /** The store the request reads through. */
  store: CallStore;
  /**
   * Whether the recalled viewer stands: decided by the user row the first
   * read carried, or by a lookup of its own when no read carried one (none
   * was made, a call not found, an empty page). False as well when it could
   * not be decided (the database failed): the request is then served again
   * through a full check, which answers that failure.
   */
  confirmed(): Promise<boolean>;
}

/**
 * Reads for a request served on a recalled viewer (Authenticator.recall)
 * without a round trip for its credentials: the first call or page the
 * request reads carries the credential's user row in the same statement
 * (CredentialedReads), and that row decides as a fresh check would. Nothing
 * else runs before the decision, and nothing at all once it is a refusal:
 * every other store call waits for it, and a read's data is handed over
 * only when it stands. A recalled viewer is as current as a checked one: the
 * row is read in the statement that reads the data, so a token revoked, a
 * user disabled or renamed, a password changed on any instance before that
 * statement are seen by it.
 *
 * The layers stay as they were: the store reads the row (it owns the SQL),
 * the authenticator decides on it (it owns the rules), and the edge serves
 * the request again through a full check when the answer is no
 * (`confirmed()` false), dropping what was computed.
 */
export function provisionalReads(
  store: CallStore & { credentialed: CredentialedReads },
  recalled: RecalledViewer,
  /** Told the decision once (metrics). */
  onDecision: (confirmed: boolean) => void = () => {},
): ProvisionalReads {
  const { credential } = recalled;
  let decision: Promise<boolean> | undefined;

  const lookUp = (): Promise<ApiUserRecord | null> =>
    credential.kind === 'token' ? store.findUserByTokenHash(credential.tokenHash) : store.findUserByUsername(credential.username);
  const decide = async (user: CredentialHolder) => recalled.confirms(user === undefined ? await lookUp() : user);
  /** The decision, false when it could not be made; reported once. */
  const settled = (deciding: Promise<boolean>) => {
    const outcome = deciding.catch(() => false);
    void outcome.then(onDecision);
    return outcome;
  };
  const confirmed = () => (decision ??= settled(decide(undefined)));
  const admitted = async () => {
    if (!(await confirmed())) throw new ViewerNotConfirmedError();
  };

  /** The first read carries the credential; a later one waits for the decision and reads plainly. */
  async function carrying<T>(carried: () => Promise<{ user: CredentialHolder } & T>, plain: () => Promise<T>): Promise<T> {
    if (decision) {
      await admitted();
      return plain();
    }
    const read = carried();
    decision = settled(read.then(({ user }) => decide(user)));
    const data = await read;
    await admitted();
    return data;
  }

  const reads: Pick<CallStore, 'getCall' | 'listCalls'> = {
    getCall: async (tenantId, callId) =>
      (
        await carrying(
          () => store.credentialed.getCall(credential, tenantId, callId),
          async () => ({ found: await store.getCall(tenantId, callId) }),
        )
      ).found,
    listCalls: async (query) =>
      (
        await carrying(
          () => store.credentialed.listCalls(credential, query),
          async () => ({ page: await store.listCalls(query) }),
        )
      ).page,
  };

  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'getCall' || property === 'listCalls') return reads[property];
      const member: unknown = Reflect.get(target, property, receiver);
      if (typeof member !== 'function' || PASS_THROUGH.has(property)) return member;
      return async (...args: unknown[]) => {
        await admitted();
        return (member as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, confirmed };
}

/** Whether a store can carry credentials with its reads. */
export const carriesCredentials = (store: CallStore): store is CallStore & { credentialed: CredentialedReads } => store.credentialed !== undefined;
