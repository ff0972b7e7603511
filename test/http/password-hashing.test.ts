import type * as Crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { hashPassword, MemoryBudget, SCRYPT_COST, SCRYPT_MEMORY, scryptMemoryBytes, verifyPassword } from '../../src/auth/credentials.js';
import { basic, createWorld, PASSWORD, type World } from '../support/fixtures.js';
import { withServer } from '../support/http.js';

/** Every scrypt computation callgate starts, watched from the real node:crypto: what runs at the same time. */
const scrypts = vi.hoisted(() => ({
  running: [] as { N: number; r: number; p: number }[],
  /** The computations running at each start, including the one starting. */
  overlaps: [] as { N: number; r: number; p: number }[][],
}));

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof Crypto>();
  const scrypt = ((password, salt, keylen, options, callback) => {
    const cost = { N: options.N!, r: options.r!, p: options.p! };
    scrypts.running.push(cost);
    scrypts.overlaps.push([...scrypts.running]);
    crypto.scrypt(password, salt, keylen, options, (error, key) => {
      scrypts.running.splice(scrypts.running.indexOf(cost), 1);
      callback(error, key);
    });
  }) as typeof Crypto.scrypt;
  return { ...crypto, scrypt, default: { ...crypto, scrypt } };
});

/** Made by the previous release (N=2^17, r=8, p=1, 128 MiB) for PASSWORD. */
const OLD_HASH = 'scrypt$131072$8$1$pf9mvEnz+C5GnHWwabr7pA==$N9XOvhPjTs7+PUPoizlz/gKdX8f08EbkUlM0XvDmUwE=';
const MiB = 1024 * 1024;

const mostAtOnce = () => Math.max(0, ...scrypts.overlaps.map((running) => running.length));
const mostBytesAtOnce = () => Math.max(0, ...scrypts.overlaps.map((running) => running.reduce((sum, cost) => sum + scryptMemoryBytes(cost), 0)));

describe('password hashing memory', () => {
  beforeEach(() => {
    scrypts.overlaps.length = 0;
  });

  it('hashes new passwords at 32 MiB (N=2^15, r=8, p=3), not 128 MiB', async () => {
    expect(SCRYPT_COST).toEqual({ N: 2 ** 15, r: 8, p: 3 });
    expect(scryptMemoryBytes(SCRYPT_COST) / MiB).toBeCloseTo(32, 1);
    expect(await hashPassword(PASSWORD)).toMatch(/^scrypt\$32768\$8\$3\$/);
  });

  it('still verifies a hash stored by the previous release with its own cost', async () => {
    expect(await verifyPassword(PASSWORD, OLD_HASH)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, OLD_HASH)).toBe(false);
    expect(scrypts.overlaps.flat().map((cost) => cost.N)).toEqual([2 ** 17, 2 ** 17]);
  });

  it('runs one computation at the current cost at a time, however many are asked for', async () => {
    const hash = await hashPassword(PASSWORD);
    scrypts.overlaps.length = 0;
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => verifyPassword(i % 2 ? PASSWORD : 'wrong', hash)));
    expect(results).toEqual([false, true, false, true]);
    expect(scrypts.overlaps).toHaveLength(4);
    expect(mostAtOnce()).toBe(1);
    expect(mostBytesAtOnce()).toBeLessThanOrEqual(SCRYPT_MEMORY.budget);
  });

  it('weighs each computation by its memory: two 8 MiB ones together, a 128 MiB one alone, in order of arrival', async () => {
    const cheap = await hashPassword(PASSWORD, { N: 2 ** 13, r: 8, p: 1 });
    const current = await hashPassword(PASSWORD);
    scrypts.overlaps.length = 0;
    const results = await Promise.all([cheap, cheap, OLD_HASH, current, cheap].map((hash) => verifyPassword(PASSWORD, hash)));
    expect(results).toEqual([true, true, true, true, true]);
    expect(scrypts.overlaps.map((running) => running.map((cost) => cost.N))).toEqual([[2 ** 13], [2 ** 13, 2 ** 13], [2 ** 17], [2 ** 15], [2 ** 13]]);
  });
});

describe('cold HTTP Basic logins', () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
    scrypts.overlaps.length = 0;
  });
  afterEach(() => world.store.close());

  /** A login to a new app: nothing cached, as after a restart or once the cached login expired. */
  const login = async (app: ReturnType<typeof createApp>, username: string) =>
    (await withServer(app)).fetch(
      new Request('http://callgate.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: basic(username) },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      }),
    );

  it('in a burst queue their scrypt work one at a time and let every login in', async () => {
    const app = createApp({ store: world.store, logger: false });
    const responses = await Promise.all(['admin', 'editor', 'viewer', 'otherEditor'].map((username) => login(app, username)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(scrypts.overlaps).toHaveLength(4);
    expect(mostAtOnce()).toBe(1);
  });

  it('with the same credentials at once share one scrypt and all get in', async () => {
    const app = createApp({ store: world.store, logger: false });
    const responses = await Promise.all(Array.from({ length: 4 }, () => login(app, 'editor')));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(scrypts.overlaps).toHaveLength(1);
  });

  it("with the previous release's 128 MiB hash pay it once: the stored hash is replaced by one at the current cost, and later cold logins cost 32 MiB", async () => {
    await world.sql('update api_users set password_hash = ? where username = ?', OLD_HASH, 'editor');
    const coldLogin = async () => (await login(createApp({ store: world.store, logger: false }), 'editor')).status;
    expect(await coldLogin()).toBe(200);
    expect(scrypts.overlaps.flat().map((cost) => cost.N)).toEqual([2 ** 17, 2 ** 15]);
    const stored = ((await world.sql('select password_hash from api_users where username = ?', 'editor')) as { password_hash: string }[])[0]!.password_hash;
    expect(stored).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);

    scrypts.overlaps.length = 0;
    expect(await coldLogin()).toBe(200);
    expect(scrypts.overlaps.flat().map((cost) => cost.N)).toEqual([2 ** 15]);
    expect(mostBytesAtOnce()).toBeLessThanOrEqual(32.1 * MiB);
  });
});

describe('MemoryBudget', () => {
  const deferred = () => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    return { done, finish };
  };

  it('starts tasks in arrival order within the budget; one larger than the budget runs alone', async () => {
    const budget = new MemoryBudget(10);
    const started: string[] = [];
    const tasks = new Map<string, ReturnType<typeof deferred>>();
    const run = (name: string, need: number) => {
      const task = deferred();
      tasks.set(name, task);
      return budget.run(need, () => {
        started.push(name);
        return task.done;
      });
    };
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const all = Promise.all([run('a', 4), run('b', 4), run('huge', 50), run('c', 1), run('d', Number.NaN), run('e', 1)]);
    await tick();
    expect(started).toEqual(['a', 'b']);
    tasks.get('a')!.finish();
    await tick();
    expect(started).toEqual(['a', 'b']); // huge is next and needs all of it; c does not overtake it
    tasks.get('b')!.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'huge']);
    tasks.get('huge')!.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'huge', 'c']); // d, whose need is unknown, takes the whole budget
    tasks.get('c')!.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'huge', 'c', 'd']);
    tasks.get('d')!.finish();
    await tick();
    tasks.get('e')!.finish();
    await all;
    expect(started).toEqual(['a', 'b', 'huge', 'c', 'd', 'e']);
  });

  it('frees its share when a task fails', async () => {
    const budget = new MemoryBudget(1);
    await expect(budget.run(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await budget.run(1, async () => 'next')).toBe('next');
  });
});
