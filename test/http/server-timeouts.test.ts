import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config.js';
import { startServer } from '../../src/http/server.js';
import { createWorld } from '../support/fixtures.js';

describe('the Node server against slow clients (slowloris)', () => {
  it('bounds how long a client may take for its headers and for the whole request', async () => {
    const world = await createWorld();
    const running = await startServer(parseConfig({ PORT: '0', LOG_LEVEL: 'silent' }), world.store);
    try {
      expect(running.server.headersTimeout).toBe(10_000);
      expect(running.server.requestTimeout).toBe(30_000);
      expect(running.server.keepAliveTimeout).toBe(5_000);
    } finally {
      await running.close();
    }
  });
});
