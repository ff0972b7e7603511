/**
 * Whether callgate and the peer answer the same calls: both answers of the
 * benchmark's documents brought to one form, and the answer the database
 * itself gives (the call row and the values of its enabled fields, read with
 * plain SQL), so that every sampled response of a timed run can be checked
 * as well as a side-by-side script before timing.
 *
 * The one form: call id, setup time as an ISO instant, numbers, direction in
 * lower case (callgate's enum is upper case, the column is not), duration,
 * version as a number (PostGraphile answers a bigint as a string), the values
 * sorted by field id with the field's name and, for the one-call query, the
 * value's updatedAt as an ISO instant. PostGraphile's values of disabled
 * fields are left out: callgate does not answer them, and PostGraphile's
 * generated relation cannot filter on the related field.
 */
import pg from 'pg';
import type { LoadOperation } from './workload.js';

export interface AnswerValue {
  fieldId: string;
  name: string;
  value: string;
  updatedAt?: string;
}

export interface AnswerCall {
  id: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: string;
  duration: number;
  version: number;
  customFields: AnswerValue[];
}

/** The one-call query answers a call or null; the list query answers calls in order. */
export type Answer = { kind: 'call'; call: AnswerCall | null } | { kind: 'calls'; calls: AnswerCall[] };

interface CallgateCall {
  id: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: string;
  duration: number;
  version: number;
  customFields: { fieldId: string; name: string; value: string; updatedAt?: string }[];
}

interface PeerCall {
  callId: string;
  setupTime: string;
  fromNumber: string;
  toNumber: string;
  direction: string;
  duration: number;
  version: string | number;
  callCustomFieldValuesByCallId: { nodes: { fieldId: string; value: string; updatedAt?: string; customFieldByFieldId: { name: string; enabled: boolean } }[] };
}

const instant = (text: string) => {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${JSON.stringify(text)}`);
  return new Date(ms).toISOString();
};

function value(v: { fieldId: string; name: string; value: string; updatedAt?: string }): AnswerValue {
  return v.updatedAt === undefined ? { fieldId: v.fieldId, name: v.name, value: v.value } : { fieldId: v.fieldId, name: v.name, value: v.value, updatedAt: instant(v.updatedAt) };
}

const byFieldId = (a: AnswerValue, b: AnswerValue) => (a.fieldId < b.fieldId ? -1 : a.fieldId > b.fieldId ? 1 : 0);

function call(c: Omit<AnswerCall, 'customFields'>, values: AnswerValue[]): AnswerCall {
  return {
    id: c.id,
    setupTime: instant(c.setupTime),
    fromNumber: c.fromNumber,
    toNumber: c.toNumber,
    direction: c.direction.toLowerCase(),
    duration: c.duration,
    version: Number(c.version),
    customFields: [...values].sort(byFieldId),
  };
}

const fromCallgate = (c: CallgateCall) => call(c, c.customFields.map(value));

const fromPeer = (c: PeerCall) =>
  call(
    { ...c, id: c.callId, version: Number(c.version) },
    c.callCustomFieldValuesByCallId.nodes
      .filter((v) => v.customFieldByFieldId.enabled)
      .map((v) => value({ fieldId: v.fieldId, name: v.customFieldByFieldId.name, value: v.value, updatedAt: v.updatedAt })),
  );

/** A response body of `op` in the one form; throws when it is not a success of that document. */
export function answerOf(op: LoadOperation, body: string): Answer {
  const json = JSON.parse(body) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (!json.data || json.errors) throw new Error(`${op}: not a success: ${body.slice(0, 300)}`);
  switch (op) {
    case 'gql-call': {
      const found = json.data.call as CallgateCall | null;
      return { kind: 'call', call: found && fromCallgate(found) };
    }
    case 'gql-calls':
      return { kind: 'calls', calls: (json.data.calls as { edges: { node: CallgateCall }[] }).edges.map((e) => fromCallgate(e.node)) };
    case 'postgraphile-call': {
      const found = json.data.callByCallId as PeerCall | null;
      return { kind: 'call', call: found && fromPeer(found) };
    }
    case 'postgraphile-calls':
      return { kind: 'calls', calls: (json.data.allCalls as { nodes: PeerCall[] }).nodes.map(fromPeer) };
    default:
      throw new Error(`${op}: not a query the peer comparison checks`);
  }
}

/** The variables of a request body as sent. */
export function variablesOf(request: string): Record<string, unknown> {
  return (JSON.parse(request) as { variables?: Record<string, unknown> }).variables ?? {};
}

/** The first difference between two answers, or null. */
export function difference(a: Answer, b: Answer): string | null {
  const left = JSON.stringify(a);
  const right = JSON.stringify(b);
  if (left === right) return null;
  let i = 0;
  while (i < left.length && left[i] === right[i]) i++;
  const from = Math.max(0, i - 120);
  return `…${left.slice(from, i + 120)}… vs …${right.slice(from, i + 120)}…`;
}

interface CallRecord {
  call_id: string;
  setup_time: Date;
  from_number: string;
  to_number: string;
  direction: string;
  duration: number;
  version: string;
}

interface ValueRecord {
  call_id: string;
  field_id: string;
  name: string;
  value: string;
  updated_at: Date;
}

const CALL_COLUMNS = 'call_id, setup_time, from_number, to_number, direction, duration, version::text AS version';

/** The database's own answers, read with plain SQL from one schema; the benchmark only reads, so they are cached. */
export class ReferenceAnswers {
  private readonly calls = new Map<string, Answer>();
  private page: Answer | undefined;

  private constructor(
    private readonly client: pg.Client,
    private readonly tenantId: string,
  ) {}

  static async open(url: string, schema: string, tenantId: string): Promise<ReferenceAnswers> {
    const client = new pg.Client({ connectionString: url, application_name: 'cg_bench_runner', options: `-c search_path=${schema}` });
    client.on('error', () => {});
    await client.connect();
    return new ReferenceAnswers(client, tenantId);
  }

  private async values(callIds: string[], withUpdatedAt: boolean): Promise<Map<string, AnswerValue[]>> {
    const { rows } = await this.client.query<ValueRecord>(
      'SELECT v.call_id, v.field_id, f.name, v.value, v.updated_at FROM call_custom_field_values v JOIN custom_fields f ON f.field_id = v.field_id ' +
        'WHERE v.call_id = ANY($1::uuid[]) AND f.enabled',
      [callIds],
    );
    const out = new Map<string, AnswerValue[]>(callIds.map((id) => [id, []]));
    for (const r of rows) {
      const v = { fieldId: r.field_id, name: r.name, value: r.value };
      out.get(r.call_id)!.push(withUpdatedAt ? { ...v, updatedAt: r.updated_at.toISOString() } : v);
    }
    return out;
  }

  private static toCall(r: CallRecord, values: AnswerValue[]): AnswerCall {
    return call(
      { id: r.call_id, setupTime: r.setup_time.toISOString(), fromNumber: r.from_number, toNumber: r.to_number, direction: r.direction, duration: r.duration, version: Number(r.version) },
      values,
    );
  }

  /** What the one-call query should answer for `callId`. */
  async call(callId: string): Promise<Answer> {
    const cached = this.calls.get(callId);
    if (cached) return cached;
    const { rows } = await this.client.query<CallRecord>(`SELECT ${CALL_COLUMNS} FROM calls WHERE call_id = $1 AND tenant_id = $2`, [callId, this.tenantId]);
    const row = rows[0];
    const answer: Answer = { kind: 'call', call: row ? ReferenceAnswers.toCall(row, (await this.values([callId], true)).get(callId)!) : null };
    this.calls.set(callId, answer);
    return answer;
  }

  /** What the list query should answer: the tenant's first 50 calls, latest setup time first, ties by call id. */
  async firstPage(): Promise<Answer> {
    if (this.page) return this.page;
    const { rows } = await this.client.query<CallRecord>(
      `SELECT ${CALL_COLUMNS} FROM calls WHERE tenant_id = $1 ORDER BY setup_time DESC, call_id DESC LIMIT 50`,
      [this.tenantId],
    );
    const values = await this.values(
      rows.map((r) => r.call_id),
      false,
    );
    this.page = { kind: 'calls', calls: rows.map((r) => ReferenceAnswers.toCall(r, values.get(r.call_id)!)) };
    return this.page;
  }

  /** The answer a request of `op` with these variables should get. */
  expected(op: LoadOperation, variables: Record<string, unknown>): Promise<Answer> {
    if (op === 'gql-calls' || op === 'postgraphile-calls') return this.firstPage();
    if (op === 'gql-call' || op === 'postgraphile-call') {
      if (typeof variables.id !== 'string') throw new Error(`${op}: a request without an id variable`);
      return this.call(variables.id);
    }
    throw new Error(`${op}: not a query the peer comparison checks`);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {});
  }
}
