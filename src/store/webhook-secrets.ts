import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Webhook signing secrets are stored sealed with AES-256-GCM, so a dump of the
 * database alone does not reveal them. The key is the operator's
 * WEBHOOK_SECRET_KEY (32 bytes, base64 or hex); without one, a SQLite
 * database gets a generated key file beside it (`<db>.webhook-key`, mode 0600).
 * A sealed secret is `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */

const VERSION = 'v1';

/** Reads a 32-byte key from its base64 or hex text; throws a clear error otherwise. */
export function parseWebhookKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('WEBHOOK_SECRET_KEY must be 32 bytes, written as base64 or 64 hex digits');
  return key;
}

/** The key from WEBHOOK_SECRET_KEY if given, else the key file (created with a random key when missing). */
export function loadWebhookKey(options: { envKey?: string | undefined; keyFile?: string | undefined }): Buffer {
  if (options.envKey) return parseWebhookKey(options.envKey);
  if (!options.keyFile) throw new Error('WEBHOOK_SECRET_KEY is required on PostgreSQL (32 bytes, base64 or hex)');
  if (!existsSync(options.keyFile)) {
    writeFileSync(options.keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(options.keyFile, 0o600);
  return parseWebhookKey(readFileSync(options.keyFile, 'utf8'));
}

/** Where a SQLite database's generated key lives. */
export const webhookKeyFileFor = (databasePath: string): string => `${databasePath}.webhook-key`;

export function sealSecret(key: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
}

/** The secret a sealSecret wrote; throws if the key is wrong or the text was altered. */
export function openSecret(key: Buffer, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('not a sealed webhook secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** A new signing secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;
