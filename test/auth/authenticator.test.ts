import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../src/auth/authenticator.js';
import { hashPassword, verifyPassword } from '../../src/auth/credentials.js';
import { basic, createWorld, PASSWORD, type World } from '../support/fixtures.js';

describe('Authenticator', () => {
  let world: World;
  let clock: number;
  let verifications: number;
  let auth: Authenticator;

  beforeEach(async () => {
    world = await createWorld();
    clock = 0;
    verifications = 0;
    auth = new Authenticator(world.store, {
      cacheTtlMs: 60_000,
      now: () => clock,
      verifyPassword: (password, hash) => {
        verifications++;
        return verifyPassword(password, hash);
      },
    });
  });

  const setUser = (sql: string, ...params: unknown[]) => world.sql(sql, ...params);

  it('accepts Basic credentials and runs scrypt once while the login is cached', async () => {
    expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor', role: 'editor', tenantName: 'default' });
    expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
    expect(verifications).toBe(1);
    clock += 60_001;
    expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
    expect(verifications).toBe(2);
  });

  it('never caches a failure, and a wrong password is refused even after a cached success', async () => {
    await auth.authenticate(basic('editor'));
    expect(await auth.authenticate(basic('editor', 'wrong'))).toBeNull();
    expect(await auth.authenticate(basic('editor', 'wrong'))).toBeNull();
    expect(verifications).toBe(3);
  });

  it('runs scrypt for an unknown user too, so timing does not reveal who exists', async () => {
    expect(await auth.authenticate(basic('nobody'))).toBeNull();
    expect(verifications).toBe(1);
  });

  it('a password change invalidates the cached login at once', async () => {
    await auth.authenticate(basic('editor'));
    await setUser('update api_users set password_hash = ? where username = ?', await hashPassword('a new password'), 'editor');
    expect(await auth.authenticate(basic('editor'))).toBeNull();
    expect(await auth.authenticate(basic('editor', 'a new password'))).toMatchObject({ username: 'editor' });
  });

  it('a disabled user is refused on the very next request, by password and by token', async () => {
    await auth.authenticate(basic('editor'));
    await setUser('update api_users set disabled = true where username = ?', 'editor');
    expect(await auth.authenticate(basic('editor'))).toBeNull();
    expect(await auth.authenticate(`Bearer ${world.tokens.editor}`)).toBeNull();
  });

  it('accepts a live bearer token and refuses a revoked or unknown one', async () => {
    expect(await auth.authenticate(`Bearer ${world.tokens.viewer}`)).toMatchObject({ username: 'viewer', role: 'viewer' });
    expect(await auth.authenticate(`bearer ${world.tokens.viewer}`)).toMatchObject({ username: 'viewer' });
    await setUser("update api_tokens set revoked_at = '2026-01-01T00:00:00Z'");
    expect(await auth.authenticate(`Bearer ${world.tokens.viewer}`)).toBeNull();
    expect(await auth.authenticate('Bearer cg_unknown')).toBeNull();
    expect(verifications).toBe(0);
  });

  describe('a hash stored at another cost than the current one', () => {
    const OLD_COST = { N: 2 ** 10, r: 8, p: 1 };
    const storedHash = async (username = 'editor') =>
      ((await world.sql('select password_hash from api_users where username = ?', username)) as { password_hash: string }[])[0]!.password_hash;
    beforeEach(async () => {
      await setUser('update api_users set password_hash = ? where username = ?', await hashPassword(PASSWORD, OLD_COST), 'editor');
    });

    it('is replaced on the next successful login by a hash of the same password at the current cost, once', async () => {
      expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
      const upgraded = await storedHash();
      expect(upgraded).toMatch(/^scrypt\$32768\$8\$3\$/);
      expect(await verifyPassword(PASSWORD, upgraded)).toBe(true);
      // the cached login knows the new hash: no second scrypt while it is cached
      expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
      expect(verifications).toBe(1);
      // a cold login verifies the new hash and leaves it alone
      clock += 60_001;
      expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
      expect(await storedHash()).toBe(upgraded);
    });

    it('stays after a wrong password, and after a correct one of a disabled user', async () => {
      const old = await storedHash();
      expect(await auth.authenticate(basic('editor', 'wrong'))).toBeNull();
      expect(await storedHash()).toBe(old);
      await setUser('update api_users set disabled = true where username = ?', 'editor');
      expect(await auth.authenticate(basic('editor'))).toBeNull();
      expect(await storedHash()).toBe(old);
    });

    it('does not overwrite a password changed while the login was re-hashing', async () => {
      const changed = await hashPassword('changed meanwhile');
      const replace = world.store.replacePasswordHash.bind(world.store);
      world.store.replacePasswordHash = async (command) => {
        await setUser('update api_users set password_hash = ? where username = ?', changed, 'editor');
        return replace(command);
      };
      expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
      expect(await storedHash()).toBe(changed);
      expect(await auth.authenticate(basic('editor'))).toBeNull();
      expect(await auth.authenticate(basic('editor', 'changed meanwhile'))).toMatchObject({ username: 'editor' });
    });

    it('lets the login in with the old hash when the database refuses the write', async () => {
      const old = await storedHash();
      world.store.replacePasswordHash = () => Promise.reject(new Error('database is locked'));
      expect(await auth.authenticate(basic('editor'))).toMatchObject({ username: 'editor' });
      expect(await storedHash()).toBe(old);
    });
  });

  describe('concurrent logins with the same credentials', () => {
    const together = (...headers: string[]) => Promise.all(headers.map((header) => auth.check(header)));

    it('share one verification, and each gets the viewer', async () => {
      const outcomes = await together(...Array.from({ length: 4 }, () => basic('editor')));
      expect(verifications).toBe(1);
      for (const outcome of outcomes) expect(outcome).toMatchObject({ kind: 'viewer', viewer: { username: 'editor' } });
    });

    it('are not shared across different passwords of one user', async () => {
      const [right, wrong] = await together(basic('editor'), basic('editor', 'wrong'));
      expect(verifications).toBe(2);
      expect(right).toMatchObject({ kind: 'viewer' });
      expect(wrong).toEqual({ kind: 'refused' });
    });

    it('are all refused when the shared verification fails, for a known and an unknown user', async () => {
      expect(await together(...Array.from({ length: 3 }, () => basic('editor', 'wrong')))).toEqual(Array(3).fill({ kind: 'refused' }));
      expect(await together(basic('nobody'), basic('nobody'))).toEqual(Array(2).fill({ kind: 'refused' }));
      expect(verifications).toBe(2);
    });

    it('verify again once the shared verification has settled and the cached login expired', async () => {
      auth = new Authenticator(world.store, {
        cacheTtlMs: 10,
        now: () => clock,
        verifyPassword: (password, hash) => {
          verifications++;
          return verifyPassword(password, hash);
        },
      });
      await together(basic('editor'), basic('editor'));
      expect(verifications).toBe(1);
      clock += 11;
      expect(await auth.check(basic('editor'))).toMatchObject({ kind: 'viewer' });
      expect(verifications).toBe(2);
    });

    it('all see a failed verification fail, and the next login tries again', async () => {
      let fail = true;
      auth = new Authenticator(world.store, {
        verifyPassword: async (password, hash) => {
          verifications++;
          if (fail) {
            // fails as late as a real scrypt would answer, so the second request (its user read may take a database round trip) joins it
            await new Promise((resolve) => setTimeout(resolve, 100));
            throw new Error('scrypt failed');
          }
          return verifyPassword(password, hash);
        },
      });
      const outcomes = await Promise.allSettled([auth.check(basic('editor')), auth.check(basic('editor'))]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
      fail = false;
      expect(await auth.check(basic('editor'))).toMatchObject({ kind: 'viewer' });
      expect(verifications).toBe(2);
    });

    it('are not shared across a password change between the two reads of the user', async () => {
      const changed = await hashPassword('a new password');
      const findUser = world.store.findUserByUsername.bind(world.store);
      let reads = 0;
      world.store.findUserByUsername = async (username) => {
        const user = await findUser(username);
        // the second request reads the user after its password was changed
        return ++reads === 2 && user ? { ...user, passwordHash: changed } : user;
      };
      const [first, second] = await together(basic('editor'), basic('editor'));
      expect(first).toMatchObject({ kind: 'viewer' });
      expect(second).toEqual({ kind: 'refused' });
      expect(verifications).toBe(2);
    });
  });

  it.each([null, '', 'Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Digest abc', 'Bearer'])(
    'refuses the malformed header %j',
    async (header) => {
      expect(await auth.authenticate(header)).toBeNull();
    },
  );

  it('keeps a colon inside the password', async () => {
    await setUser('update api_users set password_hash = ? where username = ?', await hashPassword('pa:ss:word'), 'admin');
    expect(await auth.authenticate(basic('admin', 'pa:ss:word'))).toMatchObject({ username: 'admin' });
    expect(PASSWORD).not.toContain(':');
  });

  describe('recall', () => {
    const bearer = () => `Bearer ${world.tokens.editor}`;
    const editorRow = async () => (await world.store.findUserByUsername('editor'))!;

    it('recalls nothing for credentials it has not admitted, nor for tokens unless asked to remember them', async () => {
      expect(auth.recall(bearer())).toBeNull();
      expect(auth.recall(basic('editor'))).toBeNull();
      await auth.authenticate(bearer());
      expect(auth.recall(bearer())).toBeNull();
    });

    it('recalls a token as it was admitted, confirmed only by a row that admits exactly that viewer, and forgets it on a refusal', async () => {
      const remembering = new Authenticator(world.store, { rememberTokens: true });
      const admitted = await remembering.authenticate(bearer());
      const recalled = remembering.recall(bearer())!;
      expect(recalled.viewer).toEqual(admitted);
      expect(recalled.credential.kind).toBe('token');
      const row = (await world.store.findUserByTokenHash((recalled.credential as { tokenHash: string }).tokenHash))!;
      expect(recalled.confirms(row)).toBe(true);
      expect(recalled.confirms({ ...row, role: 'viewer' })).toBe(false);
      expect(remembering.recall(bearer())).toBeNull();
      await remembering.authenticate(bearer());
      expect(remembering.recall(bearer())!.confirms({ ...row, disabled: true })).toBe(false);
      await remembering.authenticate(bearer());
      expect(remembering.recall(bearer())!.confirms(null)).toBe(false);
      expect(remembering.recall(`Bearer ${world.tokens.viewer}`)).toBeNull();
    });

    it('recalls a cached password login, confirmed only while the user has the hash it was verified against, until it expires', async () => {
      await auth.authenticate(basic('editor'));
      const recalled = auth.recall(basic('editor'))!;
      expect(recalled.credential).toEqual({ kind: 'username', username: 'editor' });
      const row = await editorRow();
      expect(recalled.confirms(row)).toBe(true);
      expect(recalled.confirms({ ...row, passwordHash: await hashPassword('another password') })).toBe(false);
      expect(recalled.confirms({ ...row, disabled: true })).toBe(false);
      expect(auth.recall(basic('editor', 'wrong'))).toBeNull();
      clock += 60_001;
      expect(recalled.confirms(row)).toBe(false);
      expect(auth.recall(basic('editor'))).toBeNull();
    });
  });
});

describe('password hashes', () => {
  it('use scrypt at N=2^15, r=8, p=3 (32 MiB) with a random salt', async () => {
    const [first, second] = [await hashPassword('secret'), await hashPassword('secret')];
    expect(first).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('secret', first)).toBe(true);
    expect(await verifyPassword('Secret', first)).toBe(false);
  });
});
