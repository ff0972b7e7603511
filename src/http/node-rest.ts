import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeHeaders } from './node-headers.js';
import type { BodyResult, RestReply, RestRequest } from './rest-response.js';

function readNodeBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData).off('end', onEnd).off('error', reject);
        req.resume();
        resolve({ ok: false, reason: 'too_large' });
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve({ ok: true, text: Buffer.concat(chunks).toString('utf8') });
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/** An IncomingMessage as a REST request: no Fetch Request, URL or stream objects on the hot path. */
export function fromNodeRequest(req: IncomingMessage): RestRequest {
  return {
    method: req.method ?? 'GET',
    // Routes read only the path and query: the Host header (client-controlled) plays no part.
    url: `http://localhost${req.url ?? '/'}`,
    headers: new NodeHeaders(req.headers),
    readBody: (limit) => readNodeBody(req, limit),
  };
}

/** Writes a reply; its headers go out in one writeHead, which is cheaper in Node than setHeader first. */
export function writeReply(res: ServerResponse, reply: RestReply, requestId?: string): void {
  // The rest of a refused (413) body is discarded by Node as it arrives; requestTimeout bounds how long.
  const headers = { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) };
  res.writeHead(reply.status, requestId === undefined ? headers : { 'x-request-id': requestId, ...headers });
  res.end(reply.body);
}
