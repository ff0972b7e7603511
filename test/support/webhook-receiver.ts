import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookEvent } from '../../src/core/webhooks.js';

/**
 * A real webhook receiver: an HTTP server that verifies every signature with
 * the Standard Webhooks library and fails a share of requests with 500s and
 * timeouts (it never answers those).
 */

export interface Receipt {
  event: WebhookEvent;
  webhookId: string;
  verified: boolean;
  accepted: boolean;
}

/** `delayMs`: how long each answer takes (a slow receiver keeps deliveries in flight). */
export async function receiver(secret: () => string, failShare: number, timeoutShare: number, delayMs = 0) {
  const receipts: Receipt[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = true;
      try {
        new Webhook(secret()).verify(body, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const roll = Math.random();
      const accepted = verified && roll >= failShare + timeoutShare;
      receipts.push({ event: JSON.parse(body) as WebhookEvent, webhookId: String(req.headers['webhook-id']), verified, accepted });
      if (roll < timeoutShare) return; // never answers: the sender times out
      setTimeout(() => res.writeHead(accepted ? 204 : 500).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, receipts, close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined) };
}
