import { describe, expect, it } from 'vitest';
import { CALL, createTestApp, FIELD } from '../support/fixtures.js';

/** The value of one series in an app's Prometheus text, 0 when absent. */
async function series(t: Awaited<ReturnType<typeof createTestApp>>, name: string, labels: string): Promise<number> {
  const text = await t.app.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const SET_BAD_VALUE = `mutation($callId: ID!, $fieldId: ID!) {
  setCallCustomFields(callId: $callId, customFields: [{ fieldId: $fieldId, value: "not a number" }]) { __typename }
}`;

describe('two apps in one process', () => {
  it('count only their own requests, expected GraphQL errors and compiled executions', async () => {
    const a = await createTestApp({ compiledExecution: { hotAfter: 0, maxOperations: 10 } });
    const b = await createTestApp({ compiledExecution: { hotAfter: 0, maxOperations: 10 } });

    const refused = await a.graphql(SET_BAD_VALUE, { callId: CALL.first, fieldId: FIELD.amount });
    expect(refused.body.data).toEqual({ setCallCustomFields: { __typename: 'InvalidRecordError' } });
    expect((await a.rest('GET', `/api/v2/calls/${CALL.first}.json`)).status).toBe(200);

    expect(await series(a, 'callgate_graphql_errors_total', 'type="InvalidRecordError"')).toBe(1);
    expect(await series(b, 'callgate_graphql_errors_total', 'type="InvalidRecordError"')).toBe(0);
    expect(await series(a, 'callgate_http_requests_total', 'operation="GET /api/v2/calls/{call_id}.json",status="200"')).toBe(1);
    expect(await series(b, 'callgate_http_requests_total', 'operation="GET /api/v2/calls/{call_id}.json",status="200"')).toBe(0);
    expect(a.app.compiledExecution!.stats().compiledExecutions).toBeGreaterThan(0);
    expect(b.app.compiledExecution!.stats().compiledExecutions).toBe(0);

    await b.graphql(SET_BAD_VALUE, { callId: CALL.first, fieldId: FIELD.amount });
    expect(await series(a, 'callgate_graphql_errors_total', 'type="InvalidRecordError"')).toBe(1);
    expect(await series(b, 'callgate_graphql_errors_total', 'type="InvalidRecordError"')).toBe(1);
  });

  it('run the REST documents compiled only where compiled execution is on', async () => {
    const plain = await createTestApp({ compiledExecution: false });
    const jit = await createTestApp({ compiledExecution: { hotAfter: 2, maxOperations: 10 } });
    const before = jit.app.compiledExecution!.stats().compiledExecutions;
    expect((await plain.rest('GET', `/api/v2/calls/${CALL.first}.json`)).status).toBe(200);
    expect(jit.app.compiledExecution!.stats().compiledExecutions).toBe(before);
    expect((await jit.rest('GET', `/api/v2/calls/${CALL.first}.json`)).status).toBe(200);
    expect(jit.app.compiledExecution!.stats().compiledExecutions).toBe(before + 1);
  });
});
