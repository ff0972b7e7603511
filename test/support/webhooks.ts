import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { decideChangeSet } from '../../src/core/change-set.js';
import type { WebhookEvent } from '../../src/core/webhooks.js';
import type { CallStore } from '../../src/store/call-store.js';
import { CALL, FIELD, type World } from './fixtures.js';

/**
 * Webhook test support. A real webhook receiver: an HTTP server that verifies every signature with
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

/**
 * `writers` concurrent editors each set Notes `each` times, alternating the
 * two calls of the world (`store` picks the instance a writer uses): one
 * change set per write, values w<writer>-<i>.
 */
export async function writeNotesConcurrently(world: World, writers: number, each: number, store: (writer: number) => CallStore = () => world.store): Promise<void> {
  const editor = (await world.store.findUserByUsername('editor'))!;
  const origin = { actor: { userId: editor.id, username: 'editor', tokenId: null }, channel: 'graphql' as const, requestId: null, clientAddress: null };
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < each; i++) {
        const outcome = await store(w).setCallCustomFields({
          tenantId: world.tenantId,
          callId: (w + i) % 2 === 0 ? CALL.first : CALL.second,
          userId: editor.id,
          now: new Date().toISOString(),
          origin,
          decide: (fields) => decideChangeSet([{ fieldId: FIELD.notes, value: `w${w}-${i}` }], fields),
        });
        if (outcome.kind !== 'updated') throw new Error(`write w${w}-${i} answered ${outcome.kind}`);
      }
    }),
  );
}
