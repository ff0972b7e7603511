import { describe, expect, it } from 'vitest';
import type { CallImport } from '../../src/core/call.js';
import { decideImportedValues } from '../../src/core/change-set.js';
import { startCliServer } from '../support/cli.js';
import { freshSchema, onCleanup, onPostgres, POSTGRES_ONLY } from '../support/database.js';
import { basic, CALL, createWorld, FIELD, NOW } from '../support/fixtures.js';
import { TEST_ORIGIN } from '../support/origin.js';

const REQUESTS = 2000;
const IN_FLIGHT = 20;
const CALLS = 50;
/** Fields every request picks from; each write gets a value no other request writes. */
const WRITABLE = [
  { fieldId: FIELD.callType, value: (i: number) => `type ${i}` },
  { fieldId: FIELD.amount, value: (i: number) => String(i) },
  { fieldId: FIELD.notes, value: (i: number) => `n${i}` },
  { fieldId: FIELD.followUp, value: (i: number) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10) },
] as const;

const callId = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;

/** A small deterministic generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Write {
  request: number;
  callId: string;
  api: 'rest' | 'graphql';
  instance: number;
  values: Map<string, string | null>;
  start: number;
  end: number;
  status: number;
  /** The call's version after this update (GraphQL answers say it; the vendor's REST body does not). */
  version?: number;
  /** The call's values right after this update, as the response showed them. */
  after: Record<string, string>;
}

describe.skipIf(!onPostgres)(`two callgate instances on one PostgreSQL database ${POSTGRES_ONLY}`, () => {
  it(`${REQUESTS} concurrent REST PUTs and GraphQL mutations (${IN_FLIGHT} in flight) lose no acknowledged write`, async () => {
    const { url } = await freshSchema();
    const world = await createWorld({ url });
    const calls: CallImport[] = Array.from({ length: CALLS }, (_, n) => ({
      call: { callId: callId(n), setupTime: NOW, fromNumber: '+1', toNumber: '+2', direction: 'inbound', duration: n },
      customFields: n % 2 === 0 ? [{ fieldId: FIELD.callType, value: 'imported' }] : [],
    }));
    await world.store.importCalls({ origin: TEST_ORIGIN, tenantId: world.tenantId, now: NOW, decide: decideImportedValues, calls });

    const servers = [startCliServer(['--db', url]), startCliServer(['--db', url])];
    for (const server of servers) onCleanup(() => void server.child.kill('SIGKILL'));
    const urls = await Promise.all(servers.map((s) => s.url));
    expect(new Set(urls).size).toBe(2);

    const pick = generator(6);
    const plan = Array.from({ length: REQUESTS }, (_, request) => {
      const fields = WRITABLE.filter(() => pick() < 0.5);
      if (fields.length === 0) fields.push(WRITABLE[Math.floor(pick() * WRITABLE.length)]!);
      return {
        request,
        callId: callId(Math.floor(pick() * CALLS)),
        api: pick() < 0.5 ? ('rest' as const) : ('graphql' as const),
        instance: Math.floor(pick() * 2),
        values: new Map(fields.map((f) => [f.fieldId, pick() < 0.1 ? null : f.value(request)] as const)),
      };
    });

    const restAuth = basic('editor');
    const bearer = `Bearer ${world.tokens.editor}`;
    async function send(p: (typeof plan)[number]): Promise<Write> {
      const base = urls[p.instance]!;
      const entries = [...p.values].map(([fieldId, value]) => ({ fieldId, value }));
      const start = performance.now();
      if (p.api === 'rest') {
        const response = await fetch(`${base}/api/v2/calls/${p.callId}.json`, {
          method: 'PUT',
          headers: { authorization: restAuth, 'content-type': 'application/json' },
          body: JSON.stringify({ call: { custom_fields: entries.map((e) => ({ field_id: e.fieldId, value: e.value })) } }),
        });
        const body = (await response.json()) as { call?: { custom_fields: { field_id: string; value: string }[] } };
        const end = performance.now();
        const after = Object.fromEntries((body.call?.custom_fields ?? []).map((f) => [f.field_id, f.value]));
        return { ...p, start, end, status: response.status, after };
      }
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($id: ID!, $fields: [CustomFieldValueInput!]!) { setCallCustomFields(callId: $id, customFields: $fields) {
            __typename ... on SetCallCustomFieldsSuccess { call { version customFields { fieldId value } } } } }`,
          variables: { id: p.callId, fields: entries },
        }),
      });
      const body = (await response.json()) as { data?: { setCallCustomFields: { __typename: string; call?: { version: number; customFields: { fieldId: string; value: string }[] } } } };
      const end = performance.now();
      const result = body.data?.setCallCustomFields;
      const ok = response.status === 200 && result?.__typename === 'SetCallCustomFieldsSuccess';
      const after = Object.fromEntries((result?.call?.customFields ?? []).map((f) => [f.fieldId, f.value]));
      return { ...p, start, end, status: ok ? 200 : response.status || 500, version: result?.call?.version, after };
    }

    const writes: Write[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < plan.length) writes.push(await send(plan[next++]!));
      }),
    );

    // Every request was acknowledged, and its answer shows its own writes applied (all of them: atomic).
    expect(writes.filter((w) => w.status !== 200).map((w) => [w.request, w.api, w.status])).toEqual([]);
    for (const w of writes) {
      for (const [fieldId, value] of w.values) expect(w.after[fieldId], `request ${w.request}`).toBe(value ?? undefined);
    }

    const finals = new Map<string, { version: number; values: Record<string, string> }>();
    for (let n = 0; n < CALLS; n++) {
      const found = (await world.store.getCall(world.tenantId, callId(n)))!;
      finals.set(callId(n), { version: found.call.version, values: Object.fromEntries(found.customFields.map((v) => [v.fieldId, v.value])) });
    }

    let exact = 0;
    let ambiguous = 0;
    for (let n = 0; n < CALLS; n++) {
      const id = callId(n);
      const final = finals.get(id)!;
      const onCall = writes.filter((w) => w.callId === id);
      // version counts successful updates exactly: imported at 1, +1 per request.
      expect(final.version, `version of call ${n}`).toBe(1 + onCall.length);
      const versions = onCall.flatMap((w) => (w.version === undefined ? [] : [w.version]));
      expect(new Set(versions).size, `distinct versions of call ${n}`).toBe(versions.length);
      expect(versions.every((v) => v >= 2 && v <= final.version)).toBe(true);

      for (const { fieldId } of WRITABLE) {
        const onField = onCall.filter((w) => w.values.has(fieldId));
        if (onField.length === 0) {
          expect(final.values[fieldId], `untouched field of call ${n}`).toBe(fieldId === FIELD.callType && n % 2 === 0 ? 'imported' : undefined);
          continue;
        }
        // The last acknowledged write: those not acknowledged before another write to the field was sent.
        // One such write, or several that all carry a version, name the expected value exactly.
        const latest = onField.filter((w) => !onField.some((other) => other !== w && w.end < other.start));
        const expected = latest.every((w) => w.version !== undefined)
          ? [latest.reduce((a, b) => (a.version! > b.version! ? a : b))]
          : latest.length === 1
            ? latest
            : undefined;
        const value = final.values[fieldId];
        if (expected) {
          exact++;
          expect(value, `call ${n} field ${fieldId}: request ${expected[0]!.request}`).toBe(expected[0]!.values.get(fieldId) ?? undefined);
        } else {
          ambiguous++;
          // Overlapping REST writes have no order a client could see: the value is one of theirs, whole.
          expect(latest.map((w) => w.values.get(fieldId) ?? undefined), `call ${n} field ${fieldId}`).toContain(value);
        }
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`multi-instance: ${REQUESTS} requests in ${seconds} s; ${exact} call fields checked exactly, ${ambiguous} by membership (overlapping REST writes)`);
    expect(exact + ambiguous).toBe(CALLS * WRITABLE.length);
    expect(exact).toBeGreaterThan(ambiguous * 3);
    for (const server of servers) expect(server.child.exitCode).toBeNull();
  }, 180_000);
  it('a revoked token, a disabled user, a changed password and a renamed field, changed through one instance, are seen by the next request on the other', async () => {
    const { url } = await freshSchema();
    const world = await createWorld({ url });
    const servers = [startCliServer(['--db', url]), startCliServer(['--db', url])];
    for (const server of servers) onCleanup(() => void server.child.kill('SIGKILL'));
    const [a, b] = await Promise.all(servers.map((s) => s.url));

    const admin = `Bearer ${world.tokens.admin}`;
    async function graphql(base: string, authorization: string, query: string) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as { data?: any } };
    }
    async function changeThroughA(mutation: string) {
      const { status, body } = await graphql(a!, admin, `mutation { ${mutation} }`);
      expect(status).toBe(200);
      expect(JSON.stringify(body)).not.toMatch(/Error"/);
    }
    const callOnB = (authorization: string) => fetch(`${b}/api/v2/calls/${CALL.first}.json`, { headers: { authorization } });
    const callQueryOnB = (authorization: string) => graphql(b!, authorization, `{ call(id: "${CALL.first}") { id customFields { name } } }`);
    /** Twice, so B has admitted the credentials and serves the next request on the viewer it recalls. */
    async function warmOnB(authorization: string) {
      for (let i = 0; i < 2; i++) {
        expect((await callOnB(authorization)).status).toBe(200);
        expect((await callQueryOnB(authorization)).status).toBe(200);
      }
    }

    // A token made and revoked through A.
    const created = await graphql(a!, admin, `mutation { createApiToken(input: { username: "editor", name: "two instances" }) {
      ... on CreateApiTokenSuccess { secret token { id } } } }`);
    const { secret, token } = created.body.data.createApiToken as { secret: string; token: { id: string } };
    await warmOnB(`Bearer ${secret}`);
    await changeThroughA(`revokeApiToken(id: "${token.id}") { __typename }`);
    expect((await callOnB(`Bearer ${secret}`)).status).toBe(401);
    expect((await callQueryOnB(`Bearer ${secret}`)).status).toBe(401);

    // A user disabled through A, by token and by password.
    const editorToken = `Bearer ${world.tokens.editor}`;
    await warmOnB(editorToken);
    await warmOnB(basic('editor'));
    await changeThroughA(`updateApiUser(username: "editor", input: { disabled: true }) { __typename }`);
    for (const authorization of [editorToken, basic('editor')]) {
      expect((await callOnB(authorization)).status).toBe(401);
      expect((await callQueryOnB(authorization)).status).toBe(401);
    }

    // A password changed through A: B refuses the old one though it had admitted it moments ago.
    await warmOnB(basic('viewer'));
    await changeThroughA(`updateApiUser(username: "viewer", input: { password: "another password entirely" }) { __typename }`);
    expect((await callOnB(basic('viewer'))).status).toBe(401);
    expect((await callQueryOnB(basic('viewer'))).status).toBe(401);

    // A field renamed through A: B's next read answers the new name.
    const adminOnB = admin;
    await warmOnB(adminOnB);
    await changeThroughA(`updateCustomField(id: "${FIELD.notes}", input: { name: "Notes, renamed" }) { __typename }`);
    expect(JSON.stringify(await (await callOnB(adminOnB)).json())).toContain('Notes, renamed');
    expect(JSON.stringify((await callQueryOnB(adminOnB)).body)).toContain('Notes, renamed');

    // B served on recalled viewers, and each change above made it serve a recalled request again, checked.
    const metrics = await (await fetch(`${b}/metrics`)).text();
    const recalled = (outcome: string) => Number(new RegExp(`^callgate_recalled_viewers_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    expect(recalled('confirmed')).toBeGreaterThanOrEqual(15);
    // The revoked and the disabled token once each (a token refused once is no longer recalled), the disabled and
    // the changed password login twice each (their logins stay cached until the password is right or they expire).
    expect(recalled('served_again')).toBe(6);
  }, 120_000);
});
