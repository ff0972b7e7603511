import { beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, FIELD } from '../support/fixtures.js';

type App = Awaited<ReturnType<typeof createTestApp>>;

let t: App;
beforeEach(async () => {
  t = await createTestApp();
});

describe('GET /api/v2/custom_fields.json', () => {
  it('lists every field of the tenant by name in the vendor\'s shape, disabled ones with "enable": false', async () => {
    const response = await t.rest('GET', '/api/v2/custom_fields.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const field = (field_id: string, name: string, type: string, more: Record<string, unknown> = {}) => ({
      field_id,
      name,
      type,
      str_max_len: null,
      options: null,
      editable: true,
      enable: true,
      ...more,
    });
    expect(response.text).toBe(
      JSON.stringify({
        custom_fields: [
          field(FIELD.amount, 'Amount', 'number'),
          field(FIELD.callType, 'Call type', 'text', { str_max_len: 255 }),
          field(FIELD.followUp, 'Follow-up date', 'date'),
          field(FIELD.locked, 'Locked', 'text', { str_max_len: 255, editable: false }),
          field(FIELD.notes, 'Notes', 'text', { str_max_len: 10 }),
          field(FIELD.paymentStatus, 'Payment status', 'option', { options: ['Unknown', 'Paid', 'Unpaid'] }),
          field(FIELD.retired, 'Retired', 'text', { str_max_len: 255, enable: false }),
        ],
      }),
    );
    expect(Object.keys(response.json.custom_fields[0])).toEqual(['field_id', 'name', 'type', 'str_max_len', 'options', 'editable', 'enable']);
  });

  it('shows another tenant only its own fields', async () => {
    const response = await t.rest('GET', '/api/v2/custom_fields.json', { as: 'otherEditor' });
    expect(response.json).toEqual({
      custom_fields: [{ field_id: FIELD.otherTenant, name: 'Secret', type: 'text', str_max_len: 255, options: null, editable: true, enable: true }],
    });
  });

  it('a viewer may read the definitions', async () => {
    expect((await t.rest('GET', '/api/v2/custom_fields.json', { as: 'viewer' })).json.custom_fields).toHaveLength(7);
  });

  it('needs credentials', async () => {
    const response = await t.app.fetch(new Request('http://callgate.test/api/v2/custom_fields.json'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="callgate"');
  });

  it.each(['POST', 'PUT', 'DELETE'])('%s is 405 with Allow: GET', async (method) => {
    const response = await t.rest(method, '/api/v2/custom_fields.json', { body: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
  });
});
