import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL, FIELD, createTestApp } from '../support/fixtures.js';
import { FUZZ_SEED, fieldIdLike, fieldNameLike, fuzzParams, leakIn, nastyString } from '../support/fuzz-support.js';

/**
 * Fuzzing `setCallCustomFields` through /graphql, in-process (issue 7):
 * arbitrary variables, shaped-but-wrong entries, arbitrary request bodies.
 * For every request: never 5xx, never "Unexpected error." (an unexpected
 * failure behind the mask), never a stack trace or SQL/driver text; anything
 * but SetCallCustomFieldsSuccess writes nothing; a success changes only its
 * call, bumping the version by one when the list is not empty.
 * Seeded and replayable: FUZZ_SEED=<seed> npx vitest run test/fuzz/graphql-fuzz.test.ts
 */

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Who = 'editor' | 'viewer' | 'otherEditor' | 'admin';

const ORIGIN = 'http://callgate.test';
const WATCHED = [CALL.first, CALL.second, CALL.otherTenant] as const;
const MUTATION = /* GraphQL */ `
  mutation Fuzz($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
    setCallCustomFields(callId: $callId, customFields: $customFields) {
      __typename
      ... on SetCallCustomFieldsSuccess { call { id version customFields { fieldId value } } }
      ... on Error { message }
      ... on InvalidRecordError { details { path message } }
    }
  }`;

let t: TestApp;
let otherTenantId: string;
let fuzzed = 0;
const outcomes = new Map<string, number>();

const snapshot = () => Promise.all(WATCHED.map((id) => t.stored(id, id === CALL.otherTenant ? otherTenantId : undefined)));

interface GraphQLBody {
  data?: { setCallCustomFields?: { __typename: string; call?: { id: string; version: number } } } | null;
  errors?: { message: string }[];
}

/**
 * Sends one request to /graphql and checks the invariants. `entries` is the
 * number of custom field entries when known (for the version check of a success).
 */
async function sendAndCheck(request: Request, requestText: string, entries?: number): Promise<GraphQLBody | undefined> {
  const before = await snapshot();
  const response = await t.fetch(request);
  const text = await response.text();
  fuzzed++;
  const context = `status ${response.status}, body ${text.slice(0, 400)}`;
  expect(response.status, context).toBeLessThan(500);
  expect(leakIn(text, requestText), context).toBeNull();
  let body: GraphQLBody | undefined;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    body = undefined; // e.g. 405/415 bodies; the status check above is what matters
  }
  const messages = body?.errors?.map((e) => e.message) ?? [];
  expect(messages, `an unexpected error behind the mask: ${context}`).not.toContain('Unexpected error.');
  const result = body?.data?.setCallCustomFields;
  const kind = result?.__typename ?? (messages.length > 0 ? 'GraphQL errors' : `HTTP ${response.status}`);
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  const after = await snapshot();
  if (result?.__typename !== 'SetCallCustomFieldsSuccess') {
    expect(after, `${kind} wrote something`).toEqual(before);
  } else {
    const target = result.call!.id;
    after.forEach((state, i) => {
      const was = before[i]!;
      if (WATCHED[i] !== target) expect(state, `a mutation of ${target} changed ${WATCHED[i]}`).toEqual(was);
      else if (entries !== undefined) expect(state!.version - was!.version, 'version bump').toBe(entries > 0 ? 1 : 0);
      else expect(state!.version - was!.version).toBeOneOf([0, 1]);
    });
    expect(result.call!.version).toBe(after[WATCHED.indexOf(target as never)]!.version);
  }
  return body;
}

const post = (variables: unknown, as: Who = 'editor', extra: Record<string, unknown> = {}) => {
  const text = JSON.stringify({ query: MUTATION, variables, ...extra });
  return {
    text,
    request: new Request(`${ORIGIN}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: t.bearer(as) },
      body: text,
    }),
  };
};

const callIdArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(CALL.first, CALL.second) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(CALL.otherTenant, CALL.first.toUpperCase(), '00000000-0000-4000-8000-000000000000', 12345, 1.5, true, null) },
  { weight: 1, arbitrary: nastyString(60) },
);
const who = fc.oneof({ weight: 6, arbitrary: fc.constant<Who>('editor') }, { weight: 1, arbitrary: fc.constantFrom<Who>('viewer', 'otherEditor', 'admin') });

const valueArb = fc.oneof(
  fc.constantFrom('Unknown', 'Paid', 'Sales call', '12.5', '-1e3', '1e400', 'NaN', '2026-02-28', '2026-02-30', 'x'.repeat(256), 'ok'),
  nastyString(300),
  fc.constantFrom(null, '', 0, 12.5, true, false),
  fc.jsonValue({ maxDepth: 2 }),
);
const entryArb = fc.record(
  {
    fieldId: fc.oneof(fieldIdLike, fc.constant(null), fc.integer(), fc.jsonValue({ maxDepth: 1 })),
    name: fc.oneof(fieldNameLike, fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
    value: valueArb,
    unknownKey: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

describe('GraphQL fuzzing: setCallCustomFields', () => {
  beforeAll(async () => {
    t = await createTestApp();
    otherTenantId = (await t.store.findTenantByName('other'))!.id;
    console.log(`[fuzz] graphql-fuzz seed=${FUZZ_SEED} (replay: FUZZ_SEED=${FUZZ_SEED} npx vitest run test/fuzz/graphql-fuzz.test.ts)`);
  });

  afterAll(() => {
    console.log(`[fuzz] graphql-fuzz requests fuzzed=${fuzzed} outcomes=${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  });

  it('arbitrary JSON as the variables, any keys missing or extra', async () => {
    const variables = fc.oneof(
      fc.record({ callId: fc.jsonValue({ maxDepth: 3 }), customFields: fc.jsonValue({ maxDepth: 4 }), other: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 4 }),
    );
    await fc.assert(
      fc.asyncProperty(variables, who, async (vars, as) => {
        const { request, text } = post(vars, as);
        const customFields = (vars as { customFields?: unknown } | null)?.customFields;
        await sendAndCheck(request, text, Array.isArray(customFields) ? customFields.length : undefined);
      }),
      fuzzParams(11, 300),
    );
  });

  it('shaped variables: arbitrary entries with wrong types, unicode and NUL, for any call and user', async () => {
    await fc.assert(
      fc.asyncProperty(callIdArb, fc.array(entryArb, { maxLength: 8 }), who, async (callId, customFields, as) => {
        const { request, text } = post({ callId, customFields }, as);
        await sendAndCheck(request, text, customFields.length);
      }),
      fuzzParams(12, 600),
    );
  });

  it('one bad entry among valid ones: InvalidRecordError naming it, nothing written', async () => {
    const valid = fc.constantFrom(
      { fieldId: FIELD.paymentStatus, value: 'Paid' },
      { name: 'Call type', value: 'Sales call' },
      { name: 'Amount', value: '42' },
      { fieldId: FIELD.followUp, name: 'ignored: the id wins', value: '2026-12-31' },
      { name: 'Notes', value: null },
    );
    const bad = fc.oneof(
      fc.constantFrom<Record<string, unknown>>(
        { name: 'Notes', value: 'far too long for ten' },
        { fieldId: FIELD.locked, value: 'x' },
        { fieldId: FIELD.retired, value: 'x' },
        { fieldId: FIELD.otherTenant, value: 'x' },
        { name: 'Amount' },
        { name: 'notes', value: 'x' },
        {},
        { name: 'Call type', value: 'NUL\u0000inside' },
        { name: 'Call type', value: 'lone \ud800 surrogate' },
        { name: 'Follow-up date', value: '2026-02-29' },
      ),
      nastyString().map((name) => ({ name: `${name}\u0000`, value: 'x' })),
    );
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(valid, { maxLength: 4 }), bad, fc.nat(4), async (entries, badEntry, at) => {
        const list: Record<string, unknown>[] = [...entries];
        const index = Math.min(at, list.length);
        list.splice(index, 0, badEntry);
        const { request, text } = post({ callId: CALL.first, customFields: list });
        const body = await sendAndCheck(request, text, list.length);
        const result = body?.data?.setCallCustomFields as { __typename: string; details?: { path: string }[] } | undefined;
        expect(result?.__typename).toBe('InvalidRecordError');
        expect(result!.details!.map((d) => d.path).some((p) => p === `customFields.${index}` || p.startsWith(`customFields.${index}.`))).toBe(true);
      }),
      fuzzParams(13, 200),
    );
  });

  it('arbitrary request bodies and GET requests carrying the mutation', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 1024 }).map((b) => ({ text: Buffer.from(b).toString('latin1'), bytes: b, type: 'application/json' })),
      fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v), bytes: new TextEncoder().encode(JSON.stringify(v)), type: 'application/json' })),
      fc
        .record({ operationName: fc.oneof(fc.constant('Fuzz'), nastyString(), fc.jsonValue({ maxDepth: 1 })), extensions: fc.jsonValue({ maxDepth: 2 }), variables: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] })
        .map((extra) => {
          const text = JSON.stringify({ query: MUTATION, ...extra });
          return { text, bytes: new TextEncoder().encode(text), type: 'application/json' };
        }),
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql').chain((type) =>
        fc.constant({ text: MUTATION, bytes: new TextEncoder().encode(MUTATION), type }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ text, bytes, type }) => {
        const request = new Request(`${ORIGIN}/graphql`, {
          method: 'POST',
          headers: { 'content-type': type, accept: 'application/json', authorization: t.bearer('editor') },
          body: bytes,
        });
        await sendAndCheck(request, text);
      }),
      fuzzParams(14, 200),
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (variables) => {
        const search = new URLSearchParams({ query: MUTATION, variables: JSON.stringify({ callId: CALL.first, customFields: [{ name: 'Notes', value: 'via GET' }], v: variables }) });
        const request = new Request(`${ORIGIN}/graphql?${search}`, { headers: { accept: 'application/json', authorization: t.bearer('editor') } });
        await sendAndCheck(request, search.toString());
        expect((await t.stored(CALL.first))!.values[FIELD.notes], 'a mutation over GET wrote').not.toBe('via GET');
      }),
      fuzzParams(15, 30),
    );
  });

  it('still runs a valid mutation after the fuzzing, and it is stored', async () => {
    const before = (await t.stored(CALL.second))!;
    const { status, body } = await t.graphql<{ setCallCustomFields: { __typename: string; call: { version: number; customFields: { fieldId: string; value: string }[] } } }>(MUTATION, {
      callId: CALL.second,
      customFields: [{ fieldId: FIELD.amount, name: 'ignored', value: '-12.5' }, { name: 'Follow-up date', value: '2026-03-01' }],
    });
    expect(status).toBe(200);
    expect(body.data!.setCallCustomFields.__typename).toBe('SetCallCustomFieldsSuccess');
    const after = (await t.stored(CALL.second))!;
    expect(after.version).toBe(before.version + 1);
    expect(after.values).toEqual({ ...before.values, [FIELD.amount]: '-12.5', [FIELD.followUp]: '2026-03-01' });
    expect(Object.fromEntries(body.data!.setCallCustomFields.call.customFields.map((f) => [f.fieldId, f.value]))).toEqual(after.values);
    expect(fuzzed).toBeGreaterThan(0);
  });
});
