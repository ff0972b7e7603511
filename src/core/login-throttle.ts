export interface ThrottleOptions {
  /** Failures allowed before any delay. */
  freeFailures: number;
  /** The first lockout; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a key's failures are remembered after its last one. */
  forgetAfterMs: number;
  maxKeys: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxKeys: 100_000,
};

interface Failures {
  count: number;
  lockedUntil: number;
  last: number;
}

/**
 * Exponential backoff for failed password logins, per key (a username, a
 * client address). After `freeFailures` failures a key is locked for
 * `baseDelayMs`, doubling with each further failure up to `maxDelayMs`; a
 * success clears the key. Time is passed in, so the rule is pure of clocks.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Milliseconds until any of the keys may try again; 0 when none is locked. */
  retryAfterMs(keys: readonly string[], now: number): number {
    let wait = 0;
    for (const key of keys) {
      const entry = this.failures.get(key);
      if (entry) wait = Math.max(wait, entry.lockedUntil - now);
    }
    return wait;
  }

  recordFailure(keys: readonly string[], now: number): void {
    for (const key of keys) {
      const previous = this.failures.get(key);
      const fresh = !previous || now - previous.last > this.options.forgetAfterMs;
      const count = fresh ? 1 : previous.count + 1;
      const over = count - this.options.freeFailures;
      const delay = over > 0 ? Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(over - 1, 30)) : 0;
      this.failures.delete(key);
      if (this.failures.size >= this.options.maxKeys) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(key, { count, lockedUntil: now + delay, last: now });
    }
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
