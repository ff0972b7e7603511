import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config.js';
import { SERVER_TIMEOUTS, startServer, type RunningServer, type ServerTimeouts } from '../../src/http/server.js';
import { CALL, createWorld } from '../support/fixtures.js';

// Short timeouts, far enough apart that a busy test machine cannot mistake one for the other.
const SHORT_HEADERS: ServerTimeouts = { headersMs: 300, requestMs: 10_000, keepAliveMs: 200, checkEveryMs: 50 };
const SHORT_REQUEST: ServerTimeouts = { headersMs: 300, requestMs: 800, keepAliveMs: 200, checkEveryMs: 50 };

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function serve(timeouts?: ServerTimeouts) {
  const world = await createWorld();
  running = await startServer(parseConfig({ PORT: '0', LOG_LEVEL: 'silent' }), world.store, timeouts);
  return { url: new URL(running.url), token: world.tokens.editor };
}

/**
 * A client that sends `head`, then one more piece every 100 ms and never
 * finishes: what the server answered, and after how long it hung up.
 */
async function slowClient(url: URL, head: string, piece: string): Promise<{ answer: string; closedAfterMs: number }> {
  const started = Date.now();
  const socket = connect(Number(url.port), url.hostname);
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  socket.on('error', () => {});
  socket.write(head);
  const drip = setInterval(() => socket.writable && socket.write(piece), 100);
  // A server that never hangs up fails the test by its timeout.
  await new Promise((closed) => socket.once('close', closed));
  clearInterval(drip);
  return { answer, closedAfterMs: Date.now() - started };
}

describe('the Node server against slow clients (slowloris)', () => {
  it('answers 408 and hangs up on a client that never finishes its headers, however steadily it sends', async () => {
    const { url } = await serve(SHORT_HEADERS);
    const { answer, closedAfterMs } = await slowClient(url, 'GET /healthz HTTP/1.1\r\nHost: callgate.test\r\n', 'X-Slow: 1\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(SHORT_HEADERS.headersMs - 50);
    expect(closedAfterMs).toBeLessThan(5_000);
  });

  it('answers 408 and hangs up on a client that never finishes its body', async () => {
    const { url, token } = await serve(SHORT_REQUEST);
    const head =
      `PUT /api/v2/calls/${CALL.first}.json HTTP/1.1\r\nHost: callgate.test\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{';
    const { answer, closedAfterMs } = await slowClient(url, head, ' ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(SHORT_REQUEST.requestMs - 50);
    expect(closedAfterMs).toBeLessThan(5_000);
  });

  it('still serves a client that sends its request at once', async () => {
    const { url } = await serve(SHORT_REQUEST);
    const response = await fetch(new URL('/healthz', url));
    expect(response.status).toBe(200);
  });

  it('runs with 10 s for headers, 30 s for the whole request, 5 s of keep-alive, checked every second', async () => {
    expect(SERVER_TIMEOUTS).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, checkEveryMs: 1_000 });
    await serve();
    expect(running!.server.headersTimeout).toBe(10_000);
    expect(running!.server.requestTimeout).toBe(30_000);
    expect(running!.server.keepAliveTimeout).toBe(5_000);
  });
});
