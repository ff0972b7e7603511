import { lookup } from 'node:dns/promises';
import { checkResolvedAddresses, checkWebhookUrl, type UrlPolicy } from '../core/webhooks.js';

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Checks an endpoint URL as core/webhooks.ts says, then resolves its host and
 * refuses it if any address is private (unless allowed). Used when an endpoint
 * is created or updated and again before every delivery; returns the
 * normalized URL, throws WebhookUrlError.
 */
export async function checkWebhookUrlResolved(text: string, policy: UrlPolicy, resolve: Lookup = systemLookup): Promise<string> {
  const url = checkWebhookUrl(text, policy);
  if (policy.allowPrivate) return url;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return url;
  }
  checkResolvedAddresses(host, addresses, policy);
  return url;
}
