import type { IncomingMessage } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Viewer } from '../core/viewer.js';
import type { CredentialWatch } from './credential-watch.js';
import type { StreamCounter } from './stream-limits.js';

interface StreamContext {
  request?: Request;
  req?: IncomingMessage;
  /** Set on an operation over a WebSocket connection, which keeps its own account (websocket.ts). */
  socket?: unknown;
  viewer?: Viewer;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * A subscription over SSE (a /graphql request answered as a stream) holds
 * one of its API user's open-stream slots (SUBSCRIPTIONS_MAX_PER_USER,
 * shared with WebSocket) until it ends, and its credentials are checked
 * again while it is open: once revoked, the stream sends a last event with
 * the reason as its error, then completes.
 */
export function sseStreamLimits(streams: StreamCounter, credentials: CredentialWatch): Plugin<StreamContext> {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as StreamContext;
      const viewer = context.viewer;
      if (context.socket !== undefined || !viewer) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          const source = result[Symbol.asyncIterator]();
          const release = streams.open(viewer.userId);
          if (!release) {
            void source.return?.();
            setResult({
              errors: [
                new GraphQLError(
                  `Too many open subscriptions for this API user: at most ${streams.maxPerUser} (SUBSCRIPTIONS_MAX_PER_USER); complete one first`,
                  { extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED' } },
                ),
              ],
            });
            return;
          }
          let endWith: (reason: string) => void = () => {};
          const ended = new Promise<string>((resolve) => (endWith = resolve));
          let revokedReason: string | null = null;
          const unwatch = credentials.watch({
            authorization: context.request?.headers.get('authorization') ?? '',
            request: context.req,
            viewer,
            end: (reason) => {
              revokedReason = reason;
              endWith(reason);
            },
          });
          let finished = false;
          const finish = () => {
            if (finished) return;
            finished = true;
            release();
            unwatch();
          };
          const done = { value: undefined, done: true } as const;
          const stream: AsyncIterableIterator<ExecutionResult> = {
            async next() {
              if (finished) return done;
              const outcome = await Promise.race([source.next(), ended]).catch((error: unknown) => {
                finish();
                throw error;
              });
              if (typeof outcome === 'string' || revokedReason !== null) {
                finish();
                void source.return?.();
                const reason = revokedReason ?? String(outcome);
                return { value: { errors: [new GraphQLError(reason, { extensions: { code: 'CREDENTIALS_REVOKED' } })] }, done: false };
              }
              if (outcome.done) finish();
              return outcome;
            },
            async return() {
              finish();
              await source.return?.();
              return done;
            },
            [Symbol.asyncIterator]() {
              return stream;
            },
          };
          setResult(stream);
        },
      };
    },
  };
}
