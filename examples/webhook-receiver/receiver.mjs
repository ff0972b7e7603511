// A webhook receiver for callgate: verifies each delivery's Standard Webhooks
// signature, skips an event it has seen (deliveries are at least once), and
// answers 204 quickly (callgate waits at most WEBHOOK_TIMEOUT_MS).
//
//   npm install standardwebhooks
//   CALLGATE_WEBHOOK_SECRET=whsec_... PORT=8080 node receiver.mjs
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.CALLGATE_WEBHOOK_SECRET);
const seen = new Set(); // a real receiver keeps event ids in its database, with the work they caused

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try {
      // Checks webhook-id, webhook-timestamp (within 5 minutes) and every v1 signature; one valid signature is enough.
      event = webhook.verify(body, req.headers);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!seen.has(event.id)) {
      seen.add(event.id);
      if (event.type === 'call.custom_fields.changed') {
        for (const change of event.changes) {
          console.log(JSON.stringify({ call: event.call_id, field: change.field_name, from: change.old_value, to: change.new_value }));
        }
      } else console.log(JSON.stringify({ test: event.id }));
    }
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1', () => {
  console.error(`listening on http://${process.env.HOST ?? '127.0.0.1'}:${server.address().port}`);
});
