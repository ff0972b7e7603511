import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config.js';
import { startServer } from '../../src/http/server.js';
import type { CallStore } from '../../src/store/call-store.js';
import { CALL, createWorld } from '../support/fixtures.js';

/** The world's store, with reads of a call held until `release` is called. */
async function slowWorld() {
  const world = await createWorld();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const readStarted = new Promise<void>((resolve) => (started = resolve));
  let closed = false;
  const store = new Proxy(world.store, {
    get(target, property, receiver) {
      if (property === 'getCall') {
        return async (...args: Parameters<CallStore['getCall']>) => {
          started();
          await released;
          return target.getCall(...args);
        };
      }
      if (property === 'close') {
        return async () => {
          closed = true;
          return target.close();
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { world, store, release, readStarted, isClosed: () => closed };
}

function get(url: string, token: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(`${url}/api/v2/calls/${CALL.first}.json`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => resolve({ error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end();
  });
}

const config = (shutdownTimeoutMs: number) => ({ ...parseConfig({}), host: '127.0.0.1', port: 0, logLevel: 'silent' as const, shutdownTimeoutMs });

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new connections, then closes the store', async () => {
    const { world, store, release, readStarted, isClosed } = await slowWorld();
    const server = await startServer(config(10_000), store);
    const inFlight = get(server.url, world.tokens.editor);
    await readStarted;
    const closing = server.close();
    expect(await get(server.url, world.tokens.editor)).toEqual({ error: 'ECONNREFUSED' });
    expect(isClosed()).toBe(false);
    release();
    const releasedAt = Date.now();
    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200 });
    expect(JSON.parse((answer as { body: string }).body).call.call_id).toBe(CALL.first);
    await closing;
    expect(isClosed()).toBe(true);
    // the client's keep-alive connection is closed once its answer is out, not after the 5 s keep-alive timeout
    expect(Date.now() - releasedAt).toBeLessThan(2_000);
  });

  it('closes what is still running at the deadline and stops anyway', async () => {
    const { world, store, release, readStarted, isClosed } = await slowWorld();
    const server = await startServer(config(300), store);
    const inFlight = get(server.url, world.tokens.editor);
    await readStarted;
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await inFlight).toHaveProperty('error');
    expect(isClosed()).toBe(true);
    release();
  });
});
