/**
 * Proves the floor answers like callgate before either is timed: the same
 * script of requests (successes, every validation error, auth, 404/405/415,
 * the GraphQL documents) goes to both, each on its own copy of the seeded
 * database, and status, content type, challenge headers and body must be
 * equal. Timestamps the server writes (`updatedAt`) are masked.
 */
import { DOCUMENTS, type Manifest } from './workload.js';

interface ScriptedRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  contentType: string;
  challenge: string | null;
  allow: string | null;
  body: string;
}

const UNKNOWN_CALL = '00000000-0000-4000-8000-000000000000';

function script(m: Manifest, withCalls: boolean): ScriptedRequest[] {
  const editor = { authorization: `Bearer ${m.editorToken}` };
  const viewer = { authorization: `Bearer ${m.viewerToken}` };
  const json = { 'content-type': 'application/json' };
  const field = (name: string) => m.fields.find((f) => f.name === name)!;
  const [c0, c1, c2, c3] = m.callIds as [string, string, string, string];
  const rest = (name: string, method: string, callId: string, body?: unknown, headers: Record<string, string> = { ...editor, ...json }): ScriptedRequest => ({
    name,
    method,
    path: `/api/v2/calls/${callId}.json`,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const put = (name: string, callId: string, customFields: unknown, headers?: Record<string, string>) =>
    rest(name, 'PUT', callId, { call: { custom_fields: customFields } }, headers);
  const gql = (name: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = editor): ScriptedRequest => ({
    name,
    method: 'POST',
    path: '/graphql',
    headers: { ...headers, ...json, accept: 'application/graphql-response+json, application/json;q=0.9' },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  const allErrors = [
    { field_id: field('Notes').fieldId, value: 'x'.repeat(501) },
    { name: 'Payment status', value: 'Maybe' },
    { name: 'Order value', value: '12,50' },
    { name: 'Follow-up date', value: '2026-02-30' },
    { name: 'No such field', value: 'x' },
    { name: 'payment status', value: 'Paid' },
    { name: 'Priority' },
    { name: 'Queue', value: 'Sales' },
    { name: 'Queue', value: 'Support' },
    { field_id: field('CRM reference').fieldId, value: 'x' },
    { name: 'Legacy code', value: 'x' },
    { value: 'x' },
    { field_id: '00000000-0000-4000-8000-00000000beef', name: 'Notes', value: 'x' },
  ];
  const requests: ScriptedRequest[] = [
    rest('GET a call', 'GET', c0, undefined, editor),
    rest('GET an unknown call', 'GET', UNKNOWN_CALL, undefined, editor),
    rest('GET a malformed id', 'GET', 'not-a-uuid', undefined, editor),
    rest('GET an upper-case id', 'GET', c0.toUpperCase(), undefined, editor),
    rest('GET without credentials', 'GET', c0, undefined, {}),
    rest('GET with a bad token', 'GET', c0, undefined, { authorization: 'Bearer cg_nope' }),
    rest('GET as viewer', 'GET', c0, undefined, viewer),
    put('PUT three edits', c0, [
      { field_id: field('Payment status').fieldId, value: 'Paid' },
      { name: 'Call type', value: 'Support call' },
      { field_id: m.fields[2]!.fieldId, value: null },
    ]),
    put('PUT id over name, empty string clears', c0, [
      { field_id: field('Priority').fieldId, name: 'No such field', value: 'High' },
      { name: 'Region', value: '' },
    ]),
    rest('PUT raw number and boolean values', 'PUT', c0, `{"call": {"custom_fields": [{"name": "Order value", "value": 12.50}, {"name": "Agent", "value": true}, {"name": "Discount", "value": 12345678901234567890}]}}`),
    put('PUT every kind of invalid entry', c1, allErrors),
    put('PUT bad entry shapes', c1, [42, { field_id: 7, value: 'x' }, { name: 'Notes', value: { a: 1 } }, { name: ['Notes'], value: [1] }]),
    rest('PUT without custom_fields', 'PUT', c1, { call: {} }),
    rest('PUT the vendor example JSON (invalid)', 'PUT', c1, '{"call": {"custom_fields": [{"name": "Notes", "value": "x"},]}}'),
    rest('PUT an empty body', 'PUT', c1, ''),
    rest('PUT text/plain', 'PUT', c1, '{}', { ...editor, 'content-type': 'text/plain' }),
    put('PUT an empty list', c1, []),
    put('PUT an unknown call', UNKNOWN_CALL, [{ name: 'Notes', value: 'x' }]),
    put('PUT a malformed id', 'not-a-uuid', [{ name: 'Notes', value: 'x' }]),
    put('PUT as viewer', c1, [{ name: 'Notes', value: 'x' }], { ...viewer, ...json }),
    put('PUT without credentials', c1, [{ name: 'Notes', value: 'x' }], json),
    rest('DELETE', 'DELETE', c1, undefined, editor),
    { name: 'GET an unknown resource', method: 'GET', path: '/api/v2/calls.xml', headers: editor },
    rest('GET after the writes', 'GET', c0, undefined, editor),
    rest('GET after the rejected writes', 'GET', c1, undefined, editor),
    gql('call query', DOCUMENTS.call, { id: c0 }),
    gql('call query, unknown call', DOCUMENTS.call, { id: UNKNOWN_CALL }),
    gql('call query, malformed id', DOCUMENTS.call, { id: 'nope' }),
    gql('mutation, three edits', DOCUMENTS.mutation, {
      callId: c2,
      customFields: [
        { fieldId: field('Satisfaction').fieldId, value: '4' },
        { name: 'Contract end', value: '2027-01-31' },
        { fieldId: m.fields[2]!.fieldId, value: null },
      ],
    }),
    gql('mutation, every kind of invalid entry', DOCUMENTS.mutation, {
      callId: c2,
      customFields: allErrors.map((e) => {
        const { field_id, ...rest } = e as { field_id?: string; name?: string; value?: string };
        return field_id === undefined ? rest : { fieldId: field_id, ...rest };
      }),
    }),
    gql('mutation, unknown call', DOCUMENTS.mutation, { callId: UNKNOWN_CALL, customFields: [{ name: 'Notes', value: 'x' }] }),
    gql('mutation, as viewer', DOCUMENTS.mutation, { callId: c3, customFields: [{ name: 'Notes', value: 'x' }] }, viewer),
    gql('mutation, empty list', DOCUMENTS.mutation, { callId: c3, customFields: [] }),
    gql('call query after the mutations', DOCUMENTS.call, { id: c2 }),
    gql('call query without credentials', DOCUMENTS.call, { id: c0 }, {}),
  ];
  if (withCalls) requests.push(gql('calls(first: 50)', DOCUMENTS.calls));
  return requests;
}

/**
 * A 405's methods without HEAD, which GET implies (RFC 9110, 9.3.2): builds
 * from before callgate answered HEAD name it nowhere, later ones in Allow and
 * in the description, and either may be compared with the one floor.
 */
const allowWithoutHead = (allow: string | null) => allow && allow.split(/,\s*/).filter((m) => m !== 'HEAD').join(', ');
const bodyWithoutHead = (body: string) => body.replace(/(is not allowed here; use [A-Z, ]*?), HEAD(?= or )/, '$1');

async function ask(baseUrl: string, r: ScriptedRequest): Promise<Answer> {
  const response = await fetch(`${baseUrl}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  return {
    status: response.status,
    contentType: (response.headers.get('content-type') ?? '').toLowerCase(),
    challenge: response.headers.get('www-authenticate'),
    allow: allowWithoutHead(response.headers.get('allow')),
    body: bodyWithoutHead((await response.text()).replace(/"updatedAt":"[^"]*"/g, '"updatedAt":"<masked>"')),
  };
}

/** JSON with every object's keys sorted, or null when the text is not JSON. */
function canonical(text: string): string | null {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return null;
  }
}

export interface ParityOutcome {
  checked: number;
  /** Real differences: the floor must be fixed before it is timed. */
  differences: string[];
  /** Bodies equal except for the order of object keys (reported, not fatal). */
  keyOrder: string[];
}

/** Runs the script against both servers and compares every answer. */
export async function checkParity(floorUrl: string, callgateUrl: string, manifest: Manifest, withCalls: boolean): Promise<ParityOutcome> {
  const differences: string[] = [];
  const keyOrder: string[] = [];
  const requests = script(manifest, withCalls);
  const show = (floor: string, callgate: string) => `\n    floor:    ${floor.slice(0, 600)}\n    callgate: ${callgate.slice(0, 600)}`;
  for (const request of requests) {
    const [floor, callgate] = [await ask(floorUrl, request), await ask(callgateUrl, request)];
    for (const key of ['status', 'contentType', 'challenge', 'allow'] as const) {
      if (floor[key] !== callgate[key]) differences.push(`${request.name}: ${key} differs${show(String(floor[key]), String(callgate[key]))}`);
    }
    if (floor.body === callgate.body) continue;
    const same = canonical(floor.body);
    if (same !== null && same === canonical(callgate.body)) keyOrder.push(`${request.name}${show(floor.body, callgate.body)}`);
    else differences.push(`${request.name}: body differs${show(floor.body, callgate.body)}`);
  }
  return { checked: requests.length, differences, keyOrder };
}

/** Whether callgate's schema has Query.calls, and whether it takes the benchmark's document. */
export async function probeCallsField(callgateUrl: string, token: string): Promise<{ present: boolean; note: string }> {
  const post = async (query: string) => {
    const response = await fetch(`${callgateUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
  };
  const introspection = await post('{ __type(name: "Query") { fields { name } } }');
  const fields = (introspection.data?.__type as { fields?: { name: string }[] } | undefined)?.fields?.map((f) => f.name) ?? [];
  if (!fields.includes('calls')) return { present: false, note: 'callgate\'s schema has no Query.calls yet (issue 3); the calls(first: 50) operation was skipped' };
  const probe = await post(DOCUMENTS.calls);
  if (!probe.data && probe.errors?.length) {
    return { present: false, note: `Query.calls exists but rejects the benchmark document (${probe.errors.map((e) => e.message).join('; ')}); skipped` };
  }
  return { present: true, note: '' };
}
