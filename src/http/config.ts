import { z } from 'zod';
import { DEFAULT_DATABASE } from '../store/open-store.js';
import { LOG_LEVELS } from './logger.js';

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Environment variables callgate reads, with their defaults (documented in the README). */
const ConfigSchema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  GRAPHIQL: flag.default(true),
  AUTH_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  SQLITE_GROUP_COMMIT: flag.default(true),
});

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  graphiql: boolean;
  authCacheTtlMs: number;
  groupCommit: boolean;
}

export class ConfigError extends Error {}

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
    graphiql: c.GRAPHIQL,
    authCacheTtlMs: c.AUTH_CACHE_TTL_SECONDS * 1000,
    groupCommit: c.SQLITE_GROUP_COMMIT,
  };
}
