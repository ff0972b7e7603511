import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCallgateClient, invalidRecordDetails, setPaymentAndCallType } from '../../openapi/example-client.js';
import { OPENAPI_PATH } from '../../src/http/openapi.js';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../../scripts/openapi.js';
import { CALL, FIELD, createTestApp } from '../support/fixtures.js';

describe('a client generated from the served description', () => {
  it('openapi-typescript generates the committed types from the document the server serves', async () => {
    const t = await createTestApp();
    const served = await (await t.fetch(new Request(`http://callgate.test${OPENAPI_PATH}`))).json();
    expect(await renderClientTypes(served as object)).toBe(readFileSync(CLIENT_TYPES_FILE, 'utf8'));
  });

  it('does the vendor\'s PUT by field_id and by name, typed by openapi-fetch', async () => {
    const t = await createTestApp();
    const client = createCallgateClient(t.url, t.bearer('editor'));
    const outcome = await setPaymentAndCallType(client, CALL.first, FIELD.paymentStatus);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.etag).toMatch(/^"[\w-]{22}"$/);
    expect(outcome.call.custom_fields).toEqual(
      expect.arrayContaining([
        { field_id: FIELD.paymentStatus, name: 'Payment status', value: 'Unknown' },
        { field_id: FIELD.callType, name: 'Call type', value: 'Sales call' },
      ]),
    );
    expect((await t.stored(CALL.first))!.values).toMatchObject({ [FIELD.paymentStatus]: 'Unknown', [FIELD.callType]: 'Sales call' });
  });

  it('reads the details of an invalid PUT\'s 400, and nothing is written', async () => {
    const t = await createTestApp();
    const client = createCallgateClient(t.url, t.bearer('editor'));
    const before = await t.stored(CALL.first);
    const refused = await invalidRecordDetails(client, CALL.first, [
      { name: 'Call type', value: 'Sales call' },
      { name: 'Notes', value: 'far longer than ten characters' },
      { name: 'Nope', value: 'x' },
    ]);
    expect(refused).toEqual({
      error: 'InvalidRecord',
      details: { 'custom_fields.1.value': 'Value is too long', 'custom_fields.2.name': 'Unknown custom field' },
    });
    expect(await t.stored(CALL.first)).toEqual(before);
  });

  it('answers a viewer\'s PUT with the typed 403 body', async () => {
    const t = await createTestApp();
    const outcome = await setPaymentAndCallType(createCallgateClient(t.url, t.bearer('viewer')), CALL.first, FIELD.paymentStatus);
    expect(outcome).toMatchObject({ ok: false, status: 403, error: { error: 'Forbidden' } });
  });
});
