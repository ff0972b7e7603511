import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWebhookKey, openSecret, parseWebhookKey, sealSecret, webhookKeyFileFor } from '../../src/store/webhook-secrets.js';

describe('webhook secrets at rest', () => {
  const key = parseWebhookKey(Buffer.alloc(32, 7).toString('base64'));

  it('seals so the stored text does not contain the secret, and opens it again', () => {
    const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=';
    const sealed = sealSecret(key, secret);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain('c2VjcmV0');
    expect(openSecret(key, sealed)).toBe(secret);
    expect(sealSecret(key, secret)).not.toBe(sealed);
  });

  it('refuses a wrong key and an altered text', () => {
    const sealed = sealSecret(key, 'whsec_abc');
    expect(() => openSecret(parseWebhookKey('ab'.repeat(32)), sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x').toString('base64url');
    expect(() => openSecret(key, parts.join('.'))).toThrow();
  });

  it('rejects a key that is not 32 bytes with a clear message', () => {
    expect(() => parseWebhookKey('c2hvcnQ=')).toThrow(/32 bytes/);
  });

  it('generates a 0600 key file beside a SQLite database and reuses it', () => {
    const file = webhookKeyFileFor(join(mkdtempSync(join(tmpdir(), 'hooks-')), 'callgate.sqlite'));
    const first = loadWebhookKey({ keyFile: file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadWebhookKey({ keyFile: file }).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('prefers WEBHOOK_SECRET_KEY and requires it without a key file', () => {
    expect(loadWebhookKey({ envKey: 'ab'.repeat(32), keyFile: '/nonexistent/x' }).toString('hex')).toBe('ab'.repeat(32));
    expect(() => loadWebhookKey({})).toThrow(/WEBHOOK_SECRET_KEY/);
  });
});
