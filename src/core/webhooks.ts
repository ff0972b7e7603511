import { CLI_ACTOR, type ChangeChannel, type ChangeKind, type ChangeRecord } from './change-log.js';
import { resolveFieldReference, type EntryProblem } from './change-set.js';
import type { CustomFieldDefinition } from './custom-field.js';

/**
 * Webhooks: every change set of the change log, delivered to the endpoints a
 * tenant's admin registers. The rules here are pure: what an event says, which
 * changes an endpoint wants, when to retry, which URLs may be called.
 */

export const WEBHOOK_EVENT_TYPE = 'call.custom_fields.changed';
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

/** Delivery defaults; the operator may change timeout and retry window. */
export const WEBHOOK_DEFAULTS = {
  timeoutMs: 10_000,
  retryWindowMs: 24 * 60 * 60 * 1000,
  firstRetryMs: 5_000,
  maxRetryMs: 60 * 60 * 1000,
  responseBodyLimit: 1024,
} as const;

/**
 * The event id: the same for every retry and redelivery of one change set to
 * one endpoint, and different for every other pair. `sequence` is the change
 * set's first record's sequence.
 */
export const webhookEventId = (endpointId: string, sequence: number): string => `evt_${endpointId.replaceAll('-', '')}_${sequence}`;

/** An endpoint's field filter: null is every field. */
export type FieldFilter = readonly string[] | null;

export const wantsField = (filter: FieldFilter, fieldId: string): boolean => filter === null || filter.includes(fieldId);

/** A field an endpoint is limited to, as an admin names it: by id or by name (the id wins), as in setCallCustomFields. */
export interface WebhookFieldRef {
  fieldId?: string | null | undefined;
  name?: string | null | undefined;
}

export type FieldFilterDecision =
  | { ok: true; filter: FieldFilter }
  | { ok: false; problems: EntryProblem[] };

/**
 * The filter for the fields an admin named: null (every field) for none, else
 * their ids, each once. Every reference that names no field of the tenant
 * (disabled ones count) is a problem, with its index.
 */
export function decideFieldFilter(refs: readonly WebhookFieldRef[] | null | undefined, fields: readonly CustomFieldDefinition[]): FieldFilterDecision {
  if (!refs || refs.length === 0) return { ok: true, filter: null };
  const ids: string[] = [];
  const problems: EntryProblem[] = [];
  refs.forEach((ref, index) => {
    const resolution = resolveFieldReference({ fieldId: ref.fieldId ?? null, name: ref.name ?? null }, index, fields);
    if ('problem' in resolution) problems.push(resolution.problem);
    else if (!ids.includes(resolution.field.fieldId)) ids.push(resolution.field.fieldId);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, filter: ids };
}

/** Groups log records (in sequence order) into their change sets, keeping order. */
export function changeSetsOf(records: readonly ChangeRecord[]): ChangeRecord[][] {
  const sets: ChangeRecord[][] = [];
  const byId = new Map<string, ChangeRecord[]>();
  for (const record of [...records].sort((a, b) => a.sequence - b.sequence)) {
    let set = byId.get(record.changeSetId);
    if (!set) {
      set = [];
      byId.set(record.changeSetId, set);
      sets.push(set);
    }
    set.push(record);
  }
  return sets;
}

export interface WebhookChange {
  field_id: string;
  field_name: string;
  kind: ChangeKind;
  old_value: string | null;
  new_value: string | null;
}

/** What an endpoint receives for one change set (the JSON body, before signing). */
export interface WebhookEvent {
  id: string;
  type: typeof WEBHOOK_EVENT_TYPE;
  tenant_id: string;
  call_id: string;
  change_set_id: string;
  changes: WebhookChange[];
  actor: { type: 'api_user' | 'cli'; user_id: string | null; username: string };
  channel: ChangeChannel;
  occurred_at: string;
  call: { version: number; custom_fields: { field_id: string; name: string; value: string }[] };
  cursor: string;
}

/** The call as it stands after the change set (its version and stored values). */
export interface CallAfter {
  version: number;
  customFields: readonly { fieldId: string; name: string; value: string }[];
}

/**
 * The call's values as they stood right after a change set, from its values
 * now and the log records of that call written after the set (any order):
 * each later change is undone, newest first. Ordered by name, as a call's are.
 */
export function valuesBefore(now: CallAfter['customFields'], later: readonly ChangeRecord[]): CallAfter['customFields'] {
  const values = new Map(now.map((v) => [v.fieldId, v]));
  for (const record of [...later].sort((a, b) => b.sequence - a.sequence)) {
    if (record.oldValue === null) values.delete(record.fieldId);
    else values.set(record.fieldId, { fieldId: record.fieldId, name: values.get(record.fieldId)?.name ?? record.fieldName, value: record.oldValue });
  }
  return [...values.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The event for one change set, with only the changes and values of the
 * fields the endpoint wants; null when it wants none of the changes. The
 * cursor is the change set's last sequence: reading the log after it
 * continues past this event.
 */
export function webhookEvent(endpointId: string, tenantId: string, filter: FieldFilter, set: readonly ChangeRecord[], after: CallAfter): WebhookEvent | null {
  const wanted = set.filter((r) => wantsField(filter, r.fieldId));
  const first = set[0];
  if (!first || wanted.length === 0) return null;
  const last = set[set.length - 1]!;
  const { actor } = first;
  return {
    id: webhookEventId(endpointId, first.sequence),
    type: WEBHOOK_EVENT_TYPE,
    tenant_id: tenantId,
    call_id: first.callId,
    change_set_id: first.changeSetId,
    changes: wanted.map((r) => ({ field_id: r.fieldId, field_name: r.fieldName, kind: r.kind, old_value: r.oldValue, new_value: r.newValue })),
    actor: actor ? { type: 'api_user', user_id: actor.userId, username: actor.username } : { type: 'cli', user_id: null, username: CLI_ACTOR },
    channel: first.channel,
    occurred_at: first.committedAt,
    call: {
      version: after.version,
      custom_fields: after.customFields.filter((v) => wantsField(filter, v.fieldId)).map((v) => ({ field_id: v.fieldId, name: v.name, value: v.value })),
    },
    cursor: String(last.sequence),
  };
}

/** What an endpoint receives when an admin sends it a test event: no call, nothing changed. */
export interface WebhookTestEvent {
  id: string;
  type: typeof WEBHOOK_TEST_EVENT_TYPE;
  tenant_id: string;
  endpoint_id: string;
  occurred_at: string;
}

/** A delivery's event type from its sequence: test events take negative ones (see webhookTestEvent). */
export const deliveryEventType = (sequence: number) => (sequence < 0 ? WEBHOOK_TEST_EVENT_TYPE : WEBHOOK_EVENT_TYPE);

/** Test events are numbered 1, 2, ... per endpoint; the number makes the event id. */
export const webhookTestEvent = (endpointId: string, tenantId: string, number: number, now: string): WebhookTestEvent => ({
  id: `evt_${endpointId.replaceAll('-', '')}_test${number}`,
  type: WEBHOOK_TEST_EVENT_TYPE,
  tenant_id: tenantId,
  endpoint_id: endpointId,
  occurred_at: now,
});

/**
 * The wait before retry number `attempt` (1 after the first failure):
 * exponential from firstRetryMs, capped at maxRetryMs, with "equal jitter"
 * (half fixed, half random) so failing deliveries do not retry in lockstep.
 * `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, random: number, options: { firstRetryMs?: number; maxRetryMs?: number } = {}): number {
  const first = options.firstRetryMs ?? WEBHOOK_DEFAULTS.firstRetryMs;
  const max = options.maxRetryMs ?? WEBHOOK_DEFAULTS.maxRetryMs;
  const ceiling = Math.min(max, first * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** Whether a delivery first due at `since` is past its retry window at `now` (and so failed). */
export const retryWindowOver = (since: string, now: string, retryWindowMs: number = WEBHOOK_DEFAULTS.retryWindowMs): boolean =>
  Date.parse(now) - Date.parse(since) >= retryWindowMs;

/** The reason an endpoint failing since `failingSince` is disabled with, or null while it may keep trying. */
export function disableReason(failingSince: string | null, now: string, retryWindowMs: number = WEBHOOK_DEFAULTS.retryWindowMs): string | null {
  if (failingSince === null || !retryWindowOver(failingSince, now, retryWindowMs)) return null;
  const hours = Math.round((retryWindowMs / 3_600_000) * 10) / 10;
  return `disabled at ${now}: every delivery has failed since ${failingSince} (${hours} h)`;
}

/** Delivery counts as delivered only for a 2xx answer. */
export const isDelivered = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

/** What an operator allows beyond public https endpoints. */
export interface UrlPolicy {
  /** Hosts (lowercase) that may be called over plain http. */
  allowHttpHosts: readonly string[];
  /** Whether private, loopback and link-local addresses may be called. */
  allowPrivate: boolean;
}

/** The policy from WEBHOOK_ALLOW_HTTP_HOSTS (comma-separated) and WEBHOOK_ALLOW_PRIVATE=true. */
export function urlPolicyFrom(env: Readonly<Record<string, string | undefined>>): UrlPolicy {
  return {
    allowHttpHosts: (env.WEBHOOK_ALLOW_HTTP_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
    allowPrivate: env.WEBHOOK_ALLOW_PRIVATE === 'true',
  };
}

export class WebhookUrlError extends Error {
  override name = 'WebhookUrlError';
}

/** The URL's host without IPv6 brackets. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * Checks an endpoint URL before any DNS lookup: absolute, http(s), https
 * unless the host is allowed plain http, no credentials, and (unless private
 * addresses are allowed) not a literal private address or `localhost`.
 * Returns the normalized URL; throws WebhookUrlError with a clear message.
 */
export function checkWebhookUrl(text: string, policy: UrlPolicy): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlError(`url: "${text}" is not an absolute URL`);
  }
  const host = hostOf(url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookUrlError('url: must use https://');
  if (url.protocol === 'http:' && !policy.allowHttpHosts.includes(host)) {
    throw new WebhookUrlError(`url: must use https:// (plain http only for hosts in WEBHOOK_ALLOW_HTTP_HOSTS)`);
  }
  if (url.username !== '' || url.password !== '') throw new WebhookUrlError('url: must not contain credentials');
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host)))) {
    throw new WebhookUrlError(`url: ${host} is a private, loopback or link-local address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)`);
  }
  url.hash = '';
  return url.toString();
}

/** Checks the addresses a host resolved to; throws WebhookUrlError if any is private and that is not allowed. */
export function checkResolvedAddresses(host: string, addresses: readonly string[], policy: UrlPolicy): void {
  if (policy.allowPrivate) return;
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined) {
    throw new WebhookUrlError(`url: ${host} resolves to ${refused}, a private, loopback or link-local address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)`);
  }
}

const v4 = (a: string): number[] | null => {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a)) return null;
  const parts = a.split('.').map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
};

/** 4 or 6 for an IP address literal (as URL parsing and DNS hand them over), 0 for a name. */
const isIP = (a: string): 0 | 4 | 6 => (v4(a) ? 4 : a.includes(':') && /^[0-9a-fA-F:.]+$/.test(a) ? 6 : 0);

/**
 * Whether an IP address is not a public unicast one: unspecified, loopback,
 * private (RFC 1918, unique local), shared (100.64/10), link-local,
 * multicast or reserved; IPv4-mapped and NAT64-free IPv6 forms are judged
 * by their IPv4 address.
 */
export function isPrivateAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) {
    const [a, b] = v4(address)!;
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b! >= 64 && b! <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b! >= 16 && b! <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a! >= 224
    );
  }
  if (kind === 6) {
    const lower = address.toLowerCase();
    const mapped = /^(?:0*:)*:?(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped) return isPrivateAddress(mapped[1]!);
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
    if (hex) {
      const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
      return isPrivateAddress([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'));
    }
    if (lower === '::' || lower === '::1') return true;
    const first = parseInt(lower.split(':')[0] || '0', 16);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00;
  }
  return false;
}
