import { DEFAULT_BULK_EDIT_LIMIT } from '../core/bulk-edit.js';
import { z } from 'zod';
import { urlPolicyFrom, type UrlPolicy } from '../core/webhooks.js';
import { DEFAULT_DATABASE, type StoreOptions } from '../store/open-store.js';
import { DEFAULT_LIMITS, DEFAULT_MAX_BUFFERED_EVENTS, DEFAULT_MAX_SUBSCRIPTIONS_PER_USER, DEFAULT_WEBSOCKET_LIMITS, type GraphQLLimits, type WebSocketLimits } from './app.js';
import { corsOriginProblem } from './cors.js';
import { LOG_LEVELS } from './logger.js';
import { ManifestError, PERSISTED_DOCUMENTS_MODES, readManifests, type PersistedDocumentsMode, type PersistedDocumentsOptions } from './persisted-documents.js';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const limit = z.coerce.number().int().min(1).max(1_000_000);

const RETENTION_DAYS = 'must be a whole number of days from 1 to 36500';
const retentionDays = z.string().regex(/^\d+$/, RETENTION_DAYS).transform(Number).pipe(z.number().min(1, RETENTION_DAYS).max(36_500, RETENTION_DAYS));

/** A comma-separated list of exact origins; each entry is checked by corsOriginProblem. */
const origins = z.string().transform((value, ctx) => {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const problem = corsOriginProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }
  return [...new Set(entries)];
});

/** Environment variables callgate reads, with their defaults (documented in the README). */
const ConfigSchema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  INTROSPECTION: flag.default(true),
  NODE_ENV: z.string().default('production'),
  AUTH_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  WEBHOOKS: flag.default(true),
  WEBHOOK_SECRET_KEY: z.string().optional(),
  WEBHOOK_ALLOW_HTTP_HOSTS: z.string().optional(),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_HOURS: z.coerce.number().min(0.001).max(720).default(24),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  DATABASE_PREPARED_STATEMENTS: flag.default(true),
  SQLITE_GROUP_COMMIT: flag.default(true),
  TRUST_PROXY: flag.default(false),
  METRICS: flag.default(true),
  METRICS_TOKEN: z.string().min(16).optional(),
  GRAPHQL_MAX_DEPTH: limit.default(DEFAULT_LIMITS.maxDepth),
  GRAPHQL_MAX_ALIASES: limit.default(DEFAULT_LIMITS.maxAliases),
  GRAPHQL_MAX_TOKENS: limit.default(DEFAULT_LIMITS.maxTokens),
  GRAPHQL_MAX_DIRECTIVES: limit.default(DEFAULT_LIMITS.maxDirectives),
  GRAPHQL_MAX_COST: limit.default(DEFAULT_LIMITS.maxCost),
  GRAPHQL_JIT: flag.default(true),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(10),
  CORS_ORIGINS: origins.default([]),
  PERSISTED_DOCUMENTS: z
    .string()
    .transform((value) => value.split(',').map((path) => path.trim()).filter((path) => path !== ''))
    .optional(),
  PERSISTED_DOCUMENTS_MODE: z.enum(PERSISTED_DOCUMENTS_MODES).optional(),
  HISTORY_RETENTION_DAYS: retentionDays.optional(),
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_WEBSOCKET_LIMITS.maxSubscriptionsPerConnection),
  SUBSCRIPTIONS_MAX_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_SUBSCRIPTIONS_PER_USER),
  SUBSCRIPTION_MAX_BUFFERED_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_BUFFERED_EVENTS),
  WS_PING_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3_600).default(DEFAULT_WEBSOCKET_LIMITS.pingIntervalMs / 1000),
  BULK_EDIT_MAX_CALLS: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_BULK_EDIT_LIMIT),
  WS_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(DEFAULT_WEBSOCKET_LIMITS.maxMessageBytes),
});

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  introspection: boolean;
  development: boolean;
  authCacheTtlMs: number;
  /** PostgreSQL only: pool size, timeouts, named prepared statements. */
  store: Required<Pick<StoreOptions, 'poolSize' | 'statementTimeoutMs' | 'connectTimeoutMs' | 'preparedStatements'>>;
  groupCommit: boolean;
  trustProxy: boolean;
  metrics: { enabled: boolean; token: string | null };
  limits: GraphQLLimits;
  /** Compile often-run operations with graphql-jit. */
  jit: boolean;
  shutdownTimeoutMs: number;
  /** Exact origins allowed to call every route from a browser; empty for same-origin only. */
  corsOrigins: string[];
  /** Trusted documents: the manifests (read once here, again on SIGHUP) and the mode; null when PERSISTED_DOCUMENTS is unset. */
  persistedDocuments: Required<PersistedDocumentsOptions> | null;
  /** Change log records older than this many days are deleted while serving; null keeps them forever. */
  historyRetentionDays: number | null;
  /** GraphQL over WebSocket: subscriptions per connection, ping interval, largest message. */
  webSocket: WebSocketLimits;
  /** The most calls one bulk edit (setCustomFieldsOnCalls) applies to. */
  bulkEditLimit: number;
  /** Open subscription streams per API user, across connections. */
  maxSubscriptionsPerUser: number;
  /** Change records waiting for one subscriber at most; one further behind is ended, told to resume with `after`. */
  maxBufferedEvents: number;
  /** The webhook worker (WEBHOOKS=false turns it off); secretKey is WEBHOOK_SECRET_KEY. */
  webhooks: { enabled: boolean; secretKey: string | undefined; policy: UrlPolicy; timeoutMs: number; retryWindowMs: number };
}

export class ConfigError extends Error {}

/** The manifests PERSISTED_DOCUMENTS names, read now: a file that is missing or malformed stops start-up, named. */
function trustedDocuments(env: Record<string, string | undefined>, paths: string[] | undefined, mode: PersistedDocumentsMode | undefined) {
  const invalid = (name: string, problem: string) => new ConfigError(`Invalid configuration: ${name}=${JSON.stringify(env[name])}: ${problem}`);
  if (paths === undefined) {
    if (mode !== undefined) throw invalid('PERSISTED_DOCUMENTS_MODE', 'needs PERSISTED_DOCUMENTS, the trusted documents manifest(s)');
    return null;
  }
  if (paths.length === 0) throw invalid('PERSISTED_DOCUMENTS', 'name at least one manifest file');
  try {
    return { paths, mode: mode ?? 'allow', documents: readManifests(paths) };
  } catch (error) {
    if (error instanceof ManifestError) throw invalid('PERSISTED_DOCUMENTS', error.message);
    throw error;
  }
}

/** Parses the environment once; a bad value names the variable and what it accepts. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const c = result.data;
  return {
    databaseUrl: c.DATABASE_URL,
    host: c.HOST,
    port: c.PORT,
    logLevel: c.LOG_LEVEL,
    introspection: c.INTROSPECTION,
    development: c.NODE_ENV === 'development',
    authCacheTtlMs: c.AUTH_CACHE_TTL_SECONDS * 1000,
    webhooks: {
      enabled: c.WEBHOOKS,
      secretKey: c.WEBHOOK_SECRET_KEY,
      policy: urlPolicyFrom(env),
      timeoutMs: c.WEBHOOK_TIMEOUT_MS,
      retryWindowMs: c.WEBHOOK_RETRY_HOURS * 3_600_000,
    },
    store: {
      poolSize: c.DATABASE_POOL_SIZE,
      statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: c.DATABASE_CONNECT_TIMEOUT_MS,
      preparedStatements: c.DATABASE_PREPARED_STATEMENTS,
    },
    groupCommit: c.SQLITE_GROUP_COMMIT,
    trustProxy: c.TRUST_PROXY,
    metrics: { enabled: c.METRICS, token: c.METRICS_TOKEN ?? null },
    limits: {
      maxDepth: c.GRAPHQL_MAX_DEPTH,
      maxAliases: c.GRAPHQL_MAX_ALIASES,
      maxTokens: c.GRAPHQL_MAX_TOKENS,
      maxDirectives: c.GRAPHQL_MAX_DIRECTIVES,
      maxCost: c.GRAPHQL_MAX_COST,
    },
    jit: c.GRAPHQL_JIT,
    bulkEditLimit: c.BULK_EDIT_MAX_CALLS,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    corsOrigins: c.CORS_ORIGINS,
    persistedDocuments: trustedDocuments(env, c.PERSISTED_DOCUMENTS, c.PERSISTED_DOCUMENTS_MODE),
    historyRetentionDays: c.HISTORY_RETENTION_DAYS ?? null,
    webSocket: {
      maxSubscriptionsPerConnection: c.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      pingIntervalMs: c.WS_PING_INTERVAL_SECONDS * 1000,
      maxMessageBytes: c.WS_MAX_MESSAGE_BYTES,
    },
    maxSubscriptionsPerUser: c.SUBSCRIPTIONS_MAX_PER_USER,
    maxBufferedEvents: c.SUBSCRIPTION_MAX_BUFFERED_EVENTS,
  };
}
