import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/core/login-throttle.js';

const options = { freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000, maxKeys: 3 };

describe('LoginThrottle', () => {
  it.each([
    [1, 0],
    [2, 0],
    [3, 1000],
    [4, 2000],
    [5, 4000],
    [6, 8000],
    [9, 8000],
  ])('after %i failures the key waits %i ms', (failures, wait) => {
    const throttle = new LoginThrottle(options);
    for (let i = 0; i < failures; i++) throttle.recordFailure(['user:a'], 0);
    expect(throttle.retryAfterMs(['user:a'], 0)).toBe(wait);
    expect(throttle.retryAfterMs(['user:b'], 0)).toBe(0);
  });

  it('the wait runs out, a success clears the key, and old failures are forgotten', () => {
    const throttle = new LoginThrottle(options);
    for (let i = 0; i < 3; i++) throttle.recordFailure(['user:a'], 0);
    expect(throttle.retryAfterMs(['user:a'], 400)).toBe(600);
    expect(throttle.retryAfterMs(['user:a'], 1000)).toBe(0);
    throttle.recordSuccess(['user:a']);
    throttle.recordFailure(['user:a'], 2000);
    expect(throttle.retryAfterMs(['user:a'], 2000)).toBe(0);
    for (let i = 0; i < 3; i++) throttle.recordFailure(['user:c'], 0);
    throttle.recordFailure(['user:c'], 100_000);
    expect(throttle.retryAfterMs(['user:c'], 100_000)).toBe(0);
  });

  it('takes the longest wait of several keys, and keeps at most maxKeys', () => {
    const throttle = new LoginThrottle(options);
    for (let i = 0; i < 4; i++) throttle.recordFailure(['addr:1'], 0);
    expect(throttle.retryAfterMs(['user:x', 'addr:1'], 0)).toBe(2000);
    for (const key of ['k1', 'k2', 'k3']) throttle.recordFailure([key], 0);
    expect(throttle.retryAfterMs(['addr:1'], 0)).toBe(0);
  });
});
