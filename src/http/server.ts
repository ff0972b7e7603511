import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallStore } from '../store/call-store.js';
import { createApp, openWebhooks, type App } from './app.js';
import { parseConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { WebhookWorker } from './webhook-worker.js';

/** The one place that reads process.env. */
export function readConfig(overrides: Partial<Config> = {}): Config {
  const config = parseConfig(process.env);
  return { ...config, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}

/** How long a client may take, and how often Node checks: a slow client (slowloris) gets 408 and is disconnected. */
export interface ServerTimeouts {
  /** From the connection (or the previous request) to the end of the headers. */
  headersMs: number;
  /** From the connection to the end of the body. */
  requestMs: number;
  /** An idle keep-alive connection. */
  keepAliveMs: number;
  /** How often Node looks for requests past the first two; its default, 30 s, would let headers take up to 40 s. */
  checkEveryMs: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkEveryMs: 1_000 };

/** The Node server of an app, with the slow-client timeouts: what production listens with, and what HTTP tests call. */
export function createNodeServer(app: Pick<App, 'handleNode'> & Partial<Pick<App, 'webSockets'>>, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Server {
  const server = createServer({ connectionsCheckingInterval: timeouts.checkEveryMs }, app.handleNode);
  if (app.webSockets) server.on('upgrade', app.webSockets.handleUpgrade);
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  return server;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
  /** Reads the trusted documents' manifests again (SIGHUP), or null when PERSISTED_DOCUMENTS is unset. */
  reloadPersistedDocuments: App['reloadPersistedDocuments'];
}

/**
 * Serves the gateway on a port. Closing stops accepting connections, closes
 * WebSockets (1001), lets in-flight requests finish (up to the shutdown
 * deadline), then closes the store (checkpointing SQLite's WAL).
 */
export async function startServer(config: Config, store: CallStore, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const webhooks = openWebhooks(store, config.webhooks.secretKey, config.webhooks.policy);
  if (typeof webhooks === 'string') logger.warn(webhooks);
  const app = createApp({
    webhooks,
    store,
    logger,
    introspection: config.introspection,
    development: config.development,
    limits: config.limits,
    bulkEditLimit: config.bulkEditLimit,
    metrics: config.metrics,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    persistedDocuments: config.persistedDocuments,
    compiledExecution: config.jit ? undefined : false,
    webSocket: config.webSocket,
    maxSubscriptionsPerUser: config.maxSubscriptionsPerUser,
    maxBufferedEvents: config.maxBufferedEvents,
    authCacheTtlMs: config.authCacheTtlMs,
  });
  const webhookWorker =
    typeof webhooks !== 'string' && config.webhooks.enabled
      ? new WebhookWorker({
          store,
          webhooks: webhooks.store,
          policy: config.webhooks.policy,
          timeoutMs: config.webhooks.timeoutMs,
          retryWindowMs: config.webhooks.retryWindowMs,
          onError: (error) => logger.error({ err: error }, 'webhook delivery round failed'),
          onAttempt: app.metrics.observeWebhookAttempt,
        })
      : undefined;
  const server = createNodeServer(app, timeouts);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  webhookWorker?.start();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    server,
    reloadPersistedDocuments: app.reloadPersistedDocuments,
    close: () =>
      (closing ??= (async () => {
        logger.info({ timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests');
        // An upgraded socket keeps server.close waiting until it ends: WebSockets get their close frame (1001) now.
        void app.webSockets.close();
        // Subscription streams never finish by themselves: end them, so their responses complete like any other.
        const subscriptionsClosed = app.closeSubscriptions();
        await new Promise<void>((resolve) => {
          const deadline = setTimeout(() => {
            logger.warn('shutdown deadline passed: closing remaining connections');
            server.closeAllConnections();
            app.webSockets.terminate();
          }, config.shutdownTimeoutMs);
          deadline.unref();
          // A keep-alive connection whose last response goes out after this is idle: close it then, not when keep-alive lapses.
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          server.close(() => {
            clearTimeout(deadline);
            clearInterval(sweep);
            resolve();
          });
          server.closeIdleConnections();
        });
        await subscriptionsClosed;
        await webhookWorker?.stop();
        await store.close();
        logger.info('stopped');
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      })()),
  };
}
