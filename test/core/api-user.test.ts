import { describe, expect, it } from 'vitest';
import { checkApiUserPatch, checkNewApiUser, checkTokenName, decideApiUserUpdate, type ApiUserState } from '../../src/core/api-user.js';

describe('checkNewApiUser', () => {
  it('trims the username and keeps the password exactly', () => {
    expect(checkNewApiUser({ username: '  ops ', password: ' 8 chars ', role: 'editor' })).toEqual({ username: 'ops', problems: [] });
  });

  it.each<[string, { username: string; password: string }, { attribute: string; message: string }[]]>([
    ['an empty username', { username: ' ', password: 'long enough' }, [{ attribute: 'username', message: 'Username is required' }]],
    ['a username of 65 characters', { username: 'u'.repeat(65), password: 'long enough' }, [{ attribute: 'username', message: 'Username is longer than 64 characters' }]],
    ['a colon in the username (HTTP Basic splits there)', { username: 'a:b', password: 'long enough' }, [{ attribute: 'username', message: 'Username must not contain ":" or control characters' }]],
    ['a newline in the username', { username: 'a\nb', password: 'long enough' }, [{ attribute: 'username', message: 'Username must not contain ":" or control characters' }]],
    ['a 7-character password', { username: 'ops', password: '1234567' }, [{ attribute: 'password', message: 'Password must be at least 8 characters' }]],
    ['an empty password', { username: 'ops', password: '' }, [{ attribute: 'password', message: 'Password is required' }]],
    ['a password of 1025 characters', { username: 'ops', password: 'p'.repeat(1025) }, [{ attribute: 'password', message: 'Password is longer than 1024 characters' }]],
  ])('refuses %s', (_label, input, problems) => {
    expect(checkNewApiUser({ ...input, role: 'viewer' }).problems).toEqual(problems);
  });
});

describe('checkApiUserPatch', () => {
  it.each([
    [{}, []],
    [{ role: 'viewer' as const, disabled: true, password: 'new password' }, []],
    [{ role: null }, [{ attribute: 'role', message: 'Role is required' }]],
    [{ disabled: null }, [{ attribute: 'disabled', message: 'Disabled must be true or false' }]],
    [{ password: null }, [{ attribute: 'password', message: 'Password is required' }]],
    [{ password: 'short' }, [{ attribute: 'password', message: 'Password must be at least 8 characters' }]],
  ])('%j -> %j', (patch, problems) => {
    expect(checkApiUserPatch(patch)).toEqual(problems);
  });
});

describe('decideApiUserUpdate: a tenant keeps an active admin', () => {
  const admin: ApiUserState = { id: 'a', role: 'admin', disabled: false };
  const second: ApiUserState = { id: 'b', role: 'admin', disabled: false };
  const editor: ApiUserState = { id: 'e', role: 'editor', disabled: false };
  const refused = { ok: false, message: 'The last active admin of a tenant cannot be disabled or lose the admin role' };

  it.each([
    ['disabling the only admin', admin, { disabled: true }, [admin, editor], refused],
    ['demoting the only admin', admin, { role: 'editor' as const }, [admin, editor], refused],
    ['disabling the only active admin (the other is disabled)', admin, { disabled: true }, [admin, { ...second, disabled: true }], refused],
    ['disabling one of two admins', admin, { disabled: true }, [admin, second], { ok: true }],
    ['a new password for the only admin', admin, { password: 'new password' }, [admin], { ok: true }],
    ['disabling an editor', editor, { disabled: true }, [admin, editor], { ok: true }],
    ['re-enabling a disabled admin', { ...second, disabled: true }, { disabled: false }, [admin, { ...second, disabled: true }], { ok: true }],
  ])('%s', (_label, user, patch, users, expected) => {
    expect(decideApiUserUpdate(user, patch, users)).toEqual(expected);
  });
});

describe('checkTokenName', () => {
  it.each([
    [undefined, { name: 'api', problems: [] }],
    [null, { name: 'api', problems: [] }],
    [' ci ', { name: 'ci', problems: [] }],
    ['', { name: '', problems: [{ attribute: 'name', message: 'Name must not be empty' }] }],
    ['n'.repeat(65), { name: 'n'.repeat(65), problems: [{ attribute: 'name', message: 'Name is longer than 64 characters' }] }],
  ])('%j', (name, expected) => {
    expect(checkTokenName(name)).toEqual(expected);
  });
});
