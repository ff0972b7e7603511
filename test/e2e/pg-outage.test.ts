import { describe, expect, it } from 'vitest';
import { startCliServer } from '../support/cli.js';
import { freshSchema, onCleanup, onPostgres, POSTGRES_ONLY, TEST_DATABASE_URL } from '../support/database.js';
import { CALL, createWorld, FIELD } from '../support/fixtures.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe.skipIf(!onPostgres)(`a callgate server whose PostgreSQL goes away and comes back ${POSTGRES_ONLY}`, () => {
  it('answers 503 on REST and GraphQL while the database is unreachable, keeps running, and recovers', async () => {
    const { url: direct } = await freshSchema();
    const world = await createWorld({ url: direct });
    const target = new URL(TEST_DATABASE_URL!);
    const proxy = new TcpProxy({ host: target.hostname || '127.0.0.1', port: Number(target.port || 5432) });
    await proxy.start();
    onCleanup(() => proxy.stop());
    const viaProxy = new URL(direct);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const server = startCliServer(['--db', viaProxy.toString()], { DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '2000' });
    onCleanup(() => void server.child.kill('SIGKILL'));
    const url = await server.url;
    const auth = { authorization: `Bearer ${world.tokens.editor}` };

    const put = (value: string) =>
      fetch(`${url}/api/v2/calls/${CALL.first}.json`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ call: { custom_fields: [{ field_id: FIELD.amount, value }] } }),
      });
    const mutate = (value: string) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($v: String) { setCallCustomFields(callId: "${CALL.first}", customFields: [{ fieldId: "${FIELD.amount}", value: $v }]) { __typename ... on SetCallCustomFieldsSuccess { call { version } } } }`,
          variables: { v: value },
        }),
      });

    expect((await put('1')).status).toBe(200);

    await proxy.stop();
    for (let i = 0; i < 3; i++) {
      const rest = await put('2');
      expect(rest.status).toBe(503);
      expect(rest.headers.get('retry-after')).toBe('1');
      expect(await rest.json()).toEqual({ error: 'ServiceUnavailable', description: 'The database is unavailable or busy; try again shortly' });
      const graphql = await mutate('2');
      expect(graphql.status).toBe(503);
      expect((await graphql.json()).errors[0]).toMatchObject({ message: 'The database is unavailable or busy; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
    expect(server.child.exitCode).toBeNull();

    await proxy.start();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await put('3')).status;
      expect([200, 503]).toContain(status);
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    const graphql = await mutate('4');
    expect(graphql.status).toBe(200);
    expect((await graphql.json()).data.setCallCustomFields).toEqual({ __typename: 'SetCallCustomFieldsSuccess', call: { version: 4 } });
    // Nothing was written while the database was away: three successful updates in all.
    expect((await world.store.getCall(world.tenantId, CALL.first))?.customFields.find((v) => v.fieldId === FIELD.amount)?.value).toBe('4');
    expect(server.stderr()).toContain('cannot be reached');
  }, 60_000);
});
