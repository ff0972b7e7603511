import { StoreLimitError, StoreUnavailableError } from '../call-store.js';

/** SQLSTATEs worth running the whole transaction again for: serialization failure and deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Socket errors, connection exceptions (class 08), shutdowns and "too many connections". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end/i;

/** Statement timeout or cancel, lock timeout. */
const BUSY_CODES = new Set(['57014', '55P03']);

/** The driver error behind drizzle's DrizzleQueryError wrapper (and any other `cause` chain). */
function driverErrors(error: unknown): { code?: string; message?: string }[] {
  const chain: { code?: string; message?: string }[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    chain.push(current as { code?: string; message?: string });
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** The SQLSTATE (or socket error code) of a failure, looking through wrappers. */
export function sqlState(error: unknown): string | undefined {
  return driverErrors(error).find((e) => typeof e.code === 'string')?.code;
}

export const isRetryable = (error: unknown): boolean => RETRYABLE.has(sqlState(error) ?? '');

export function isUnreachable(error: unknown): boolean {
  return driverErrors(error).some(
    (e) => (typeof e.code === 'string' && (UNREACHABLE_CODES.has(e.code) || e.code.startsWith('08'))) || UNREACHABLE_MESSAGES.test(e.message ?? ''),
  );
}

/**
 * Turns a driver failure that says "the database cannot serve this now" into
 * a StoreUnavailableError; every other error is returned as it is.
 */
export function translateError(error: unknown, where: string, attempts: number): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (isUnreachable(error)) return new StoreUnavailableError(`The database at ${where} cannot be reached`, { cause: error });
  const code = sqlState(error) ?? '';
  if (BUSY_CODES.has(code)) return new StoreUnavailableError('The database did not answer in time (statement timeout)', { cause: error });
  if (RETRYABLE.has(code)) {
    const message =
      attempts === 1
        ? 'The database reported a conflict with a concurrent update; try again'
        : `The database kept reporting conflicting concurrent updates (${attempts} attempts); try again`;
    return new StoreUnavailableError(message, { cause: error });
  }
  if (code.startsWith('54')) {
    const detail = driverErrors(error).find((e) => e.code === code)?.message ?? '';
    return new StoreLimitError(`The request is beyond a limit of the database (${detail || `SQLSTATE ${code}`})`, { cause: error });
  }
  return error;
}
