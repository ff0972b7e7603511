import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/http/app.js';
import { createNodeServer } from '../../src/http/server.js';

export interface Served {
  /** The server's origin, e.g. http://127.0.0.1:39123. */
  url: string;
  /** Sends a Fetch request to the real server; only the request's path and query are kept from its URL. */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

const open = new Set<Served>();

/**
 * Serves an app on 127.0.0.1 and an ephemeral port through the Node server
 * production uses (`createNodeServer`), so HTTP tests exercise the code that
 * production runs. Servers still open when a test file ends are closed with it.
 */
export async function serve(app: Pick<App, 'handleNode'>): Promise<Served> {
  const server = createNodeServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const served: Served = {
    url,
    fetch(request) {
      const { pathname, search } = new URL(request.url);
      const init: RequestInit & { duplex?: 'half' } = {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        ...(request.body ? { duplex: 'half' } : {}),
      };
      return fetch(`${url}${pathname}${search}`, init);
    },
    close: () => {
      open.delete(served);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  open.add(served);
  return served;
}

/** Closes every server `serve` opened (for afterAll hooks). */
export async function closeServed(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
}

/** The app, served as `serve` does, with `fetch` sending requests to it over the socket. */
export async function withServer<A extends Pick<App, 'handleNode'>>(app: A): Promise<A & { fetch: Served['fetch'] }> {
  const { fetch } = await serve(app);
  return Object.assign(app, { fetch });
}

/**
 * One request over node:http, for what a Fetch client will not send (a
 * Content-Length that does not match the body). Answers status, headers and text.
 */
export function rawRequest(
  url: string,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${options.path}`, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, String(value));
        resolve({ status: res.statusCode ?? 0, headers, text, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
