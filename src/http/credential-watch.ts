import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Authentication } from '../auth/authenticator.js';
import type { Viewer } from '../core/viewer.js';
import { StoreUnavailableError } from '../store/call-store.js';

/** How often each open stream's credentials are checked again: a revoked token ends it within this (plus one check). */
export const RECHECK_CREDENTIALS_MS = 2_000;

export const REVOKED_REASON = {
  revoked: 'Credentials no longer valid: token revoked, user disabled or password changed',
  roleChanged: "The user's role changed: connect again",
} as const;

/** One open stream (a WebSocket connection, an SSE response) held by one credential. */
export interface WatchedStream {
  authorization: string;
  request: IncomingMessage | undefined;
  viewer: Viewer;
  /** Ends the stream, saying why; called at most once. */
  end: (reason: string) => void;
}

/** Why a stream must end now that its credentials answer `outcome`, or null while they still hold. */
function endReason(viewer: Viewer, outcome: Authentication): string | null {
  if (outcome.kind === 'refused') return REVOKED_REASON.revoked;
  if (outcome.kind === 'throttled') return null;
  if (outcome.viewer.userId !== viewer.userId || outcome.viewer.tenantId !== viewer.tenantId) return REVOKED_REASON.revoked;
  return outcome.viewer.role === viewer.role ? null : REVOKED_REASON.roleChanged;
}

/**
 * Checks the credentials of every open stream again every few seconds, once
 * per distinct credential for all streams that use it, and ends those whose
 * token was revoked, whose user was disabled or whose password changed. A
 * database outage ends nothing. It keeps a timer only while streams are open.
 */
export function createCredentialWatch(deps: {
  authenticate: (authorization: string | null, req: IncomingMessage | undefined) => Promise<Authentication | StoreUnavailableError>;
  logger: Logger;
  everyMs?: number;
}) {
  const watched = new Set<WatchedStream>();
  const everyMs = deps.everyMs ?? RECHECK_CREDENTIALS_MS;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function recheck(): Promise<void> {
    const byAuthorization = new Map<string, WatchedStream[]>();
    for (const stream of watched) {
      const group = byAuthorization.get(stream.authorization);
      if (group) group.push(stream);
      else byAuthorization.set(stream.authorization, [stream]);
    }
    const groups = [...byAuthorization];
    for (let start = 0; start < groups.length; start += 16) {
      await Promise.all(
        groups.slice(start, start + 16).map(async ([authorization, group]) => {
          const outcome = await deps.authenticate(authorization, group[0]!.request);
          if (outcome instanceof StoreUnavailableError) return;
          for (const stream of group) {
            const reason = endReason(stream.viewer, outcome);
            if (!reason || !watched.delete(stream)) continue;
            deps.logger.info({ user: stream.viewer.username, reason }, 'ending a subscription stream');
            stream.end(reason);
          }
        }),
      );
    }
  }

  function schedule(): void {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      recheck()
        .catch((error: unknown) => deps.logger.error({ err: error }, 'checking the credentials of open streams failed'))
        .finally(() => {
          timer = null;
          if (watched.size > 0) schedule();
        });
    }, everyMs);
    timer.unref();
  }

  return {
    /** Watches the stream until the function it answers is called. */
    watch(stream: WatchedStream): () => void {
      watched.add(stream);
      schedule();
      return () => void watched.delete(stream);
    },
    /** Stops checking (on shutdown). */
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export type CredentialWatch = ReturnType<typeof createCredentialWatch>;
