/**
 * What the benchmark sends: the operations, the literal GraphQL documents,
 * the seeded custom fields and the random requests built from them. Shared by
 * the seed, the load generator and the floor (which answers exactly these
 * documents).
 */

export const OPERATIONS = ['rest-put', 'rest-get', 'gql-mutation', 'gql-call', 'gql-calls'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const OPERATION_LABELS: Record<Operation, string> = {
  'rest-put': 'REST PUT',
  'rest-get': 'REST GET',
  'gql-mutation': 'GraphQL mutation',
  'gql-call': 'GraphQL call query',
  'gql-calls': 'GraphQL calls(first: 50)',
};

/** The targets, callgate req/s as a share of the floor's (none for the list query). */
export const TARGETS: Partial<Record<Operation, number>> = {
  'rest-put': 0.85,
  'rest-get': 0.8,
  'gql-mutation': 0.6,
  'gql-call': 0.45,
};

export const DOCUMENTS = {
  mutation:
    'mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!) { ' +
    'setCallCustomFields(callId: $callId, customFields: $customFields) { __typename ' +
    '... on SetCallCustomFieldsSuccess { call { id version customFields { fieldId name value updatedAt } } } ' +
    '... on Error { message } ... on InvalidRecordError { details { path message } } } }',
  call:
    'query Call($id: ID!) { call(id: $id) { id setupTime fromNumber toNumber direction duration version ' +
    'customFields { fieldId name value updatedAt } } }',
  calls:
    'query Calls { calls(first: 50) { edges { node { id setupTime fromNumber toNumber direction duration version ' +
    'customFields { fieldId name value } } } } }',
} as const;

/**
 * The peer's operations (`--peer postgraphile`): the call query and the first 50 calls as PostGraphile 4 generates them
 * over callgate's PostgreSQL schema, sent without credentials (the peer runs without authentication).
 */
export const PEER_OPERATIONS = ['postgraphile-call', 'postgraphile-calls'] as const;
export type PeerOperation = (typeof PEER_OPERATIONS)[number];
/** What the load generator can send. */
export type LoadOperation = Operation | PeerOperation;

/**
 * The peer's documents, selecting what DOCUMENTS.call and DOCUMENTS.calls select. The list is the tenant's (the index
 * on tenant_id, setup_time, call_id serves it), latest setup time first, ties by call id, as callgate's default order.
 * The values come with their field's `enabled`: PostGraphile cannot leave a disabled field's values out of a relation,
 * callgate does, so the answers are compared without them.
 */
export const PEER_DOCUMENTS = {
  call:
    'query Call($id: UUID!) { callByCallId(callId: $id) { callId setupTime fromNumber toNumber direction duration version ' +
    'callCustomFieldValuesByCallId { nodes { fieldId value updatedAt customFieldByFieldId { name enabled } } } } }',
  calls:
    'query Calls($tenantId: UUID!) { allCalls(first: 50, orderBy: [SETUP_TIME_DESC, CALL_ID_DESC], condition: { tenantId: $tenantId }) { ' +
    'nodes { callId setupTime fromNumber toNumber direction duration version ' +
    'callCustomFieldValuesByCallId { nodes { fieldId value customFieldByFieldId { name enabled } } } } } }',
} as const;

export type FieldType = 'text' | 'option' | 'number' | 'date';

export interface SeedField {
  fieldId: string;
  name: string;
  type: FieldType;
  options: string[] | null;
  maxLength: number | null;
  editable: boolean;
  enabled: boolean;
}

/** What the seed leaves beside the database for the load generator and the parity check. */
export interface Manifest {
  tenant: string;
  editorToken: string;
  viewerToken: string;
  fields: SeedField[];
  callIds: string[];
  /** The tenant's id; PostgreSQL runs only (the peer's list query names it). */
  tenantId?: string;
}

const field = (fieldId: string, name: string, type: FieldType, extra: Partial<SeedField> = {}): SeedField => ({
  fieldId,
  name,
  type,
  options: null,
  maxLength: null,
  editable: true,
  enabled: true,
  ...extra,
});

const id = (n: number) => `6c1e8d5a-0b7f-4a43-9d2e-1f3a5b7c9d${String(n).padStart(2, '0')}`;

/** 20 fields of mixed types: the vendor's two examples with their UUIDs, one read-only, one disabled. */
export const SEED_FIELDS: SeedField[] = [
  field('138fb20c-4c3b-11ee-8cbb-0015172d2a7d', 'Payment status', 'option', { options: ['Unknown', 'Paid', 'Unpaid', 'Refunded'] }),
  field('9079d60a-5192-11ee-aa89-0015172d2a7d', 'Call type', 'option', { options: ['Sales call', 'Support call', 'Billing call', 'Other'] }),
  field(id(1), 'Notes', 'text', { maxLength: 500 }),
  field(id(2), 'Customer ID', 'text', { maxLength: 32 }),
  field(id(3), 'Order value', 'number'),
  field(id(4), 'Satisfaction', 'number'),
  field(id(5), 'Follow-up date', 'date'),
  field(id(6), 'Priority', 'option', { options: ['Low', 'Normal', 'High'] }),
  field(id(7), 'CRM reference', 'text', { editable: false }),
  field(id(8), 'Legacy code', 'text', { enabled: false }),
  field(id(9), 'Agent', 'text'),
  field(id(10), 'Queue', 'option', { options: ['Sales', 'Support', 'Billing', 'Escalations'] }),
  field(id(11), 'Ticket number', 'text', { maxLength: 20 }),
  field(id(12), 'Contract end', 'date'),
  field(id(13), 'Discount', 'number'),
  field(id(14), 'Outcome', 'option', { options: ['Resolved', 'Callback', 'Escalated', 'No answer'] }),
  field(id(15), 'Campaign', 'text', { maxLength: 64 }),
  field(id(16), 'Minutes billed', 'number'),
  field(id(17), 'Callback date', 'date'),
  field(id(18), 'Region', 'option', { options: ['North', 'South', 'East', 'West'] }),
];

/** A small deterministic generator (mulberry32). */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const below = (pick: () => number, n: number) => Math.floor(pick() * n);
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** A value the field accepts. */
export function sampleValue(f: SeedField, pick: () => number): string {
  switch (f.type) {
    case 'option':
      return f.options![below(pick, f.options!.length)]!;
    case 'number':
      return (below(pick, 1_000_000) / 100).toFixed(2);
    case 'date':
      return `2026-${String(1 + below(pick, 12)).padStart(2, '0')}-${String(1 + below(pick, 28)).padStart(2, '0')}`;
    case 'text': {
      const text = `${WORDS[below(pick, WORDS.length)]} ${WORDS[below(pick, WORDS.length)]} ${below(pick, 100_000)}`;
      return text.slice(0, f.maxLength ?? 255);
    }
  }
}

/** `count` distinct items. */
export function distinct<T>(items: readonly T[], count: number, pick: () => number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  for (let i = 0; i < count && pool.length > 0; i++) chosen.push(pool.splice(below(pick, pool.length), 1)[0]!);
  return chosen;
}

export interface Edit {
  fieldId?: string;
  name?: string;
  value: string | null;
}

/** Three edits of distinct writable fields: one by field id, one by name, one clear with null. */
export function threeEdits(fields: readonly SeedField[], pick: () => number): Edit[] {
  const [a, b, c] = distinct(fields.filter((f) => f.editable && f.enabled), 3, pick) as [SeedField, SeedField, SeedField];
  return [
    { fieldId: a.fieldId, value: sampleValue(a, pick) },
    { name: b.name, value: sampleValue(b, pick) },
    { fieldId: c.fieldId, value: null },
  ];
}

export interface BenchRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const GRAPHQL_ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

/** One random request of the operation, as an API client would send it. */
export function buildRequest(op: LoadOperation, manifest: Manifest, pick: () => number): BenchRequest {
  const authorization = `Bearer ${manifest.editorToken}`;
  const callId = manifest.callIds[below(pick, manifest.callIds.length)]!;
  const graphql = (query: string, variables?: Record<string, unknown>): BenchRequest => ({
    method: 'POST',
    path: '/graphql',
    headers: { authorization, 'content-type': 'application/json', accept: GRAPHQL_ACCEPT },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  switch (op) {
    case 'rest-put': {
      const customFields = threeEdits(manifest.fields, pick).map((e) =>
        e.fieldId ? { field_id: e.fieldId, value: e.value } : { name: e.name, value: e.value },
      );
      return {
        method: 'PUT',
        path: `/api/v2/calls/${callId}.json`,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ call: { custom_fields: customFields } }),
      };
    }
    case 'rest-get':
      return { method: 'GET', path: `/api/v2/calls/${callId}.json`, headers: { authorization } };
    case 'gql-mutation':
      return graphql(DOCUMENTS.mutation, { callId, customFields: threeEdits(manifest.fields, pick) });
    case 'gql-call':
      return graphql(DOCUMENTS.call, { id: callId });
    case 'gql-calls':
      return graphql(DOCUMENTS.calls);
    case 'postgraphile-call':
      return peer(PEER_DOCUMENTS.call, { id: callId });
    case 'postgraphile-calls': {
      if (!manifest.tenantId) throw new Error('postgraphile-calls: the manifest has no tenantId');
      return peer(PEER_DOCUMENTS.calls, { tenantId: manifest.tenantId });
    }
  }
}

/** A request to the peer: no credentials. */
const peer = (query: string, variables: Record<string, unknown>): BenchRequest => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify({ query, variables }),
});

/** True when a response is the success the request asked for (a 200 can still carry a GraphQL error). */
export function isExpectedResponse(op: LoadOperation, status: number, body: string): boolean {
  if (status !== 200) return false;
  switch (op) {
    case 'rest-put':
    case 'rest-get':
      return body.startsWith('{"call":{"call_id":');
    case 'gql-mutation':
      return body.startsWith('{"data":{"setCallCustomFields":{"__typename":"SetCallCustomFieldsSuccess"');
    case 'gql-call':
      return body.startsWith('{"data":{"call":{"id":');
    case 'gql-calls':
      return body.startsWith('{"data":{"calls":{"edges":[{"node":{"id":');
    case 'postgraphile-call':
      return body.startsWith('{"data":{"callByCallId":{"callId":');
    case 'postgraphile-calls':
      return body.startsWith('{"data":{"allCalls":{"nodes":[{"callId":');
  }
}
