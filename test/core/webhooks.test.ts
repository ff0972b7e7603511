import { describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/core/change-log.js';
import {
  changeSetsOf,
  checkResolvedAddresses,
  checkWebhookUrl,
  disableReason,
  isDelivered,
  isPrivateAddress,
  retryDelayMs,
  retryWindowOver,
  urlPolicyFrom,
  valuesBefore,
  webhookEvent,
  webhookEventId,
} from '../../src/core/webhooks.js';

const ENDPOINT = '0b6f3e2c-1111-4222-8333-444455556666';
const TENANT = 't-1';

const record = (sequence: number, changeSetId: string, fieldId: string, over: Partial<ChangeRecord> = {}): ChangeRecord => ({
  sequence,
  changeSetId,
  callId: 'call-1',
  fieldId,
  fieldName: `name-${fieldId}`,
  kind: 'set',
  oldValue: null,
  newValue: `v${sequence}`,
  callVersion: 3,
  committedAt: '2026-12-03T07:00:00.000Z',
  actor: { userId: 'u-1', username: 'alice', tokenId: null },
  channel: 'graphql',
  requestId: null,
  clientAddress: null,
  ...over,
});

const after = { version: 3, customFields: [{ fieldId: 'f1', name: 'name-f1', value: 'v7' }, { fieldId: 'f2', name: 'name-f2', value: 'v8' }] };

describe('webhook events', () => {
  it('carries the contract fields, with an id stable per endpoint and change set', () => {
    const event = webhookEvent(ENDPOINT, TENANT, null, [record(7, 'cs1', 'f1'), record(8, 'cs1', 'f2')], after)!;
    expect(event).toEqual({
      id: webhookEventId(ENDPOINT, 7),
      type: 'call.custom_fields.changed',
      tenant_id: TENANT,
      call_id: 'call-1',
      change_set_id: 'cs1',
      changes: [
        { field_id: 'f1', field_name: 'name-f1', kind: 'set', old_value: null, new_value: 'v7' },
        { field_id: 'f2', field_name: 'name-f2', kind: 'set', old_value: null, new_value: 'v8' },
      ],
      actor: { type: 'api_user', user_id: 'u-1', username: 'alice' },
      channel: 'graphql',
      occurred_at: '2026-12-03T07:00:00.000Z',
      call: { version: 3, custom_fields: [{ field_id: 'f1', name: 'name-f1', value: 'v7' }, { field_id: 'f2', name: 'name-f2', value: 'v8' }] },
      cursor: '8',
    });
    expect(webhookEvent(ENDPOINT, TENANT, null, [record(7, 'cs1', 'f1')], after)!.id).toBe(event.id);
    expect(webhookEventId(ENDPOINT, 9)).not.toBe(event.id);
    expect(webhookEventId('0b6f3e2c-1111-4222-8333-444455556667', 7)).not.toBe(event.id);
  });

  it('names the CLI as actor when no API user made the change', () => {
    expect(webhookEvent(ENDPOINT, TENANT, null, [record(1, 'cs', 'f1', { actor: null, channel: 'import' })], after)!.actor).toEqual({
      type: 'cli',
      user_id: null,
      username: 'cli',
    });
  });

  it('keeps only the wanted fields, and sends nothing when none changed', () => {
    const event = webhookEvent(ENDPOINT, TENANT, ['f2'], [record(7, 'cs1', 'f1'), record(8, 'cs1', 'f2')], after)!;
    expect(event.changes.map((c) => c.field_id)).toEqual(['f2']);
    expect(event.call.custom_fields.map((c) => c.field_id)).toEqual(['f2']);
    expect(webhookEvent(ENDPOINT, TENANT, ['f3'], [record(7, 'cs1', 'f1')], after)).toBeNull();
  });

  it('groups records into change sets in log order', () => {
    const sets = changeSetsOf([record(3, 'b', 'f1'), record(1, 'a', 'f1'), record(2, 'a', 'f2')]);
    expect(sets.map((s) => s.map((r) => r.sequence))).toEqual([[1, 2], [3]]);
  });
});

describe('retries', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(retryDelayMs(1, 0)).toBe(2500);
    expect(retryDelayMs(1, 0.999)).toBeLessThanOrEqual(5000);
    expect(retryDelayMs(3, 0)).toBe(10_000);
    expect(retryDelayMs(40, 0.999)).toBeLessThanOrEqual(3_600_000);
    expect(retryDelayMs(40, 0)).toBe(1_800_000);
    expect(new Set([0.1, 0.5, 0.9].map((r) => retryDelayMs(4, r))).size).toBe(3);
  });

  it('gives up after the retry window and disables an endpoint failing that long', () => {
    expect(retryWindowOver('2026-12-02T07:00:00.000Z', '2026-12-03T06:59:59.999Z')).toBe(false);
    expect(retryWindowOver('2026-12-02T07:00:00.000Z', '2026-12-03T07:00:00.000Z')).toBe(true);
    expect(retryWindowOver('2026-12-03T07:00:00.000Z', '2026-12-03T07:00:01.000Z', 1000)).toBe(true);
    expect(disableReason(null, '2026-12-03T07:00:00.000Z')).toBeNull();
    expect(disableReason('2026-12-02T07:00:00.000Z', '2026-12-03T07:00:00.000Z')).toMatch(/failed since 2026-12-02T07:00:00.000Z \(24 h\)/);
  });

  it('counts only a 2xx as delivered', () => {
    expect([200, 204, 299].every(isDelivered)).toBe(true);
    expect([null, 199, 301, 404, 500].some(isDelivered)).toBe(false);
  });
});

describe('endpoint URLs', () => {
  const strict = urlPolicyFrom({});
  const open = urlPolicyFrom({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP_HOSTS: ' Receiver.test ,127.0.0.1' });

  it('reads the policy from the environment', () => {
    expect(strict).toEqual({ allowHttpHosts: [], allowPrivate: false });
    expect(open).toEqual({ allowHttpHosts: ['receiver.test', '127.0.0.1'], allowPrivate: true });
  });

  it.each([
    ['ftp://example.com/x', /https/],
    ['not a url', /not an absolute URL/],
    ['http://example.com/hook', /must use https:\/\//],
    ['https://user:pw@example.com/', /credentials/],
    ['https://127.0.0.1/hook', /private, loopback or link-local/],
    ['https://10.1.2.3/', /private/],
    ['https://169.254.169.254/latest', /private/],
    ['https://[::1]/', /private/],
    ['https://[::ffff:127.0.0.1]/', /private/],
    ['https://localhost:8443/', /private/],
  ])('refuses %s', (url, message) => {
    expect(() => checkWebhookUrl(url, strict)).toThrow(message);
  });

  it('accepts public https, and http and private addresses only where allowed', () => {
    expect(checkWebhookUrl('https://hooks.example.com/in#frag', strict)).toBe('https://hooks.example.com/in');
    expect(checkWebhookUrl('http://127.0.0.1:9999/hook', open)).toBe('http://127.0.0.1:9999/hook');
    expect(() => checkWebhookUrl('http://10.0.0.1/', open)).toThrow(/https/);
  });

  it('refuses a name that resolves to a private address unless allowed', () => {
    expect(() => checkResolvedAddresses('evil.example', ['93.184.216.34', '192.168.1.5'], strict)).toThrow(/evil.example resolves to 192.168.1.5/);
    expect(() => checkResolvedAddresses('ok.example', ['93.184.216.34', '2606:2800:220:1::1'], strict)).not.toThrow();
    expect(() => checkResolvedAddresses('lan.example', ['192.168.1.5'], open)).not.toThrow();
  });

  it.each([
    ['8.8.8.8', false],
    ['172.15.0.1', false],
    ['172.16.0.1', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::', true],
    ['::ffff:7f00:1', true],
    ['::ffff:808:808', false],
    ['2001:4860:4860::8888', false],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('the values a call had right after a change set', () => {
  it('undoes the later changes, newest first: sets restore the old value, a value set afterwards is dropped, a cleared one comes back', () => {
    const now = [
      { fieldId: 'f1', name: 'Alpha', value: 'third' },
      { fieldId: 'f3', name: 'Gamma', value: 'new' },
    ];
    const later = [
      record(12, 'cs-b', 'f1', { oldValue: 'second', newValue: 'third' }),
      record(10, 'cs-a', 'f1', { oldValue: 'first', newValue: 'second' }),
      record(11, 'cs-a', 'f3', { oldValue: null, newValue: 'new' }),
      record(13, 'cs-c', 'f2', { fieldName: 'Beta (then)', oldValue: 'kept', newValue: null, kind: 'cleared' }),
    ];
    expect(valuesBefore(now, later)).toEqual([
      { fieldId: 'f1', name: 'Alpha', value: 'first' },
      { fieldId: 'f2', name: 'Beta (then)', value: 'kept' },
    ]);
    expect(valuesBefore(now, [])).toEqual(now);
  });
});

