import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * New hashes: N=2^15, r=8, p=3, one of OWASP's equivalent scrypt settings,
 * needing 32 MiB per hash where N=2^17, r=8, p=1 needs 128 MiB. A stored hash
 * carries its own cost and is verified with it. Not 2^14 (16 MiB): glibc
 * returns a block above 32 MiB to the system when it is freed, but keeps a
 * 16 MiB one in the free lists of the thread that ran the hash, so a few
 * logins left 35-55 MiB more resident for good.
 */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;

/** What one scrypt computation allocates: 128·r·N bytes of scratch table plus 128·r·p of blocks. */
export const scryptMemoryBytes = (cost: ScryptCost): number => 128 * cost.r * (cost.N + cost.p + 2);

/**
 * Runs tasks that each need some memory, never more than `budget` bytes at
 * once; a task needing more than the whole budget runs alone. Tasks start in
 * arrival order, so a large one is not starved by a stream of small ones.
 */
export class MemoryBudget {
  private used = 0;
  private readonly waiting: { need: number; start: () => void }[] = [];

  constructor(readonly budget: number) {}

  async run<T>(needBytes: number, task: () => Promise<T>): Promise<T> {
    // A need that is not a number (a corrupt stored cost) takes the whole budget rather than breaking the count.
    const need = needBytes >= 0 ? Math.min(needBytes, this.budget) : this.budget;
    if (this.waiting.length > 0 || this.used + need > this.budget) {
      await new Promise<void>((start) => this.waiting.push({ need, start }));
    } else {
      this.used += need;
    }
    try {
      return await task();
    } finally {
      this.used -= need;
      this.startWaiting();
    }
  }

  private startWaiting(): void {
    for (let next = this.waiting[0]; next && this.used + next.need <= this.budget; next = this.waiting[0]) {
      this.waiting.shift();
      this.used += next.need;
      next.start();
    }
  }
}

/**
 * scrypt memory for the whole process: one hash at the current cost at a
 * time (or two cheaper ones), and an older, larger one alone. A burst of cold
 * Basic logins queues here, in arrival order, instead of multiplying the
 * process's memory.
 */
export const SCRYPT_MEMORY = new MemoryBudget(scryptMemoryBytes(SCRYPT_COST));

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return SCRYPT_MEMORY.run(
    scryptMemoryBytes(cost),
    () => new Promise((resolve, reject) => scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)))),
  );
}

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64), so the cost can rise without breaking old hashes. */
export async function hashPassword(password: string, cost = SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parseHash(encoded: string): { cost: ScryptCost; salt: string; key: string } | null {
  const [scheme, n, r, p, salt, key] = encoded.split('$');
  return scheme === 'scrypt' && salt && key ? { cost: { N: Number(n), r: Number(r), p: Number(p) }, salt, key } : null;
}

export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (!parsed) return false;
  const expected = Buffer.from(parsed.key, 'base64');
  const actual = await scryptAsync(password, Buffer.from(parsed.salt, 'base64'), parsed.cost);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** True when a stored hash was made at another cost than `cost` (an older release's, or a cheaper import's). */
export function needsRehash(encoded: string, cost: ScryptCost = SCRYPT_COST): boolean {
  const stored = parseHash(encoded)?.cost;
  return !stored || stored.N !== cost.N || stored.r !== cost.r || stored.p !== cost.p;
}

/** A fresh 256-bit API token, shown once; only its SHA-256 is stored. */
export function newApiToken(): string {
  return `cg_${randomBytes(32).toString('base64url')}`;
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
