/**
 * What the raw floors have in common whatever the database: node:http
 * routing, bearer tokens by SHA-256, the REST shim's statuses and JSON, and
 * the answers to the benchmark's GraphQL documents, byte for byte as
 * callgate gives them. The pure rules come from src/core so they cannot
 * drift; there is no yoga, graphql or drizzle here. Each floor supplies a
 * FloorStore: its database's statements and transactions, nothing else.
 *
 * A store may answer synchronously (better-sqlite3) or with a promise
 * (`pg`): a synchronous answer is used at once, without a promise, so the
 * SQLite floor runs exactly as it did before the two floors shared this code.
 *
 * Not implemented, because the benchmark does not send them: HTTP Basic
 * (answered 401), GraphQL GET, GraphiQL, arbitrary GraphQL documents.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UUID } from '../src/core/call.js';
import type { EntryProblem, FieldEntry } from '../src/core/change-set.js';
import { parseOptionList, type CustomFieldDefinition } from '../src/core/custom-field.js';
import { can, FORBIDDEN_MESSAGE, type Role } from '../src/core/permissions.js';
import { JsonNumber, parseJsonText } from '../src/core/json-text.js';
import { DOCUMENTS } from './workload.js';

export interface Viewer {
  userId: string;
  tenantId: string;
  role: Role;
}

/** A call as the floors' statements return it (timestamps as ISO 8601 strings in UTC). */
export interface CallRow {
  call_id: string;
  setup_time: string;
  from_number: string;
  to_number: string;
  direction: string;
  duration: number;
  version: number;
}

/** A stored value of an enabled field, with the field's name and type. */
export interface ValueRow {
  field_id: string;
  name: string;
  value: string;
  updated_at: string;
  type: CustomFieldDefinition['type'];
}

export interface CallWithValues {
  call: CallRow;
  /** Ordered by field name (code points), then field id. */
  values: ValueRow[];
}

export type WriteOutcome =
  | { kind: 'updated'; call: CallRow; values: ValueRow[] }
  | { kind: 'not_found' }
  | { kind: 'invalid'; problems: EntryProblem[] };

export type MaybePromise<T> = T | Promise<T>;

/** A floor's database access: the statements and transactions of one dialect. */
export interface FloorStore {
  /** The token's user, unless the token is revoked or the user disabled. */
  viewer(tokenHash: string): MaybePromise<Viewer | null>;
  /** A call of the tenant with its values. */
  call(tenantId: string, callId: string): MaybePromise<CallWithValues | null>;
  /**
   * One request's change set in one transaction: the call (row locked where the
   * database locks rows), the field definitions read inside it, decideChangeSet,
   * the writes, version + 1, the values as they are now.
   */
  writeCustomFields(viewer: Viewer, callId: string, entries: FieldEntry[], now: string): MaybePromise<WriteOutcome>;
  /** The tenant's newest calls (setup time, then call id, descending) and the values of those calls. */
  callPage(tenantId: string, limit: number): MaybePromise<CallPage>;
  /**
   * PostgreSQL: the reads with the token's user in the same statement, as callgate reads once it has admitted a
   * token before (its recalled viewer, src/http/provisional-reads.ts): a viewer null when the token is unknown or
   * revoked or its user disabled. Absent: the token is looked up first (SQLite, where a lookup is no round trip).
   */
  withToken?: {
    call(tokenHash: string, callId: string): Promise<{ viewer: Viewer | null; found: CallWithValues | null }>;
    callPage(tokenHash: string, limit: number): Promise<{ viewer: Viewer | null; page: CallPage }>;
  };
}

export interface CallPage {
  calls: CallRow[];
  values: (ValueRow & { call_id: string })[];
}

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';
const CHALLENGE = 'Basic realm="callgate"';
const CALL_ROUTE = /^\/api\/v2\/calls\/([^/]+)\.json$/;

/** Applies `next` at once to a value that is there, or when the promise resolves. */
function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Like `andThen`, for the last step of a request: a rejected promise is answered 500. */
function settle<T>(res: ServerResponse, value: MaybePromise<T>, next: (value: T) => void): void {
  if (value instanceof Promise) value.then(next).catch((error: unknown) => internalError(res, error));
  else next(value);
}

const normalizeCallId = (id: string) => (UUID.test(id) ? id.toLowerCase() : null);

/** The SHA-256 of a bearer token, or null for anything else. */
function bearerHash(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const space = authorization.indexOf(' ');
  const credentials = authorization.slice(space + 1).trim();
  if (space < 0 || !credentials || authorization.slice(0, space).toLowerCase() !== 'bearer') return null;
  return createHash('sha256').update(credentials).digest('hex');
}

function authenticate(store: FloorStore, authorization: string | undefined): MaybePromise<Viewer | null> {
  const tokenHash = bearerHash(authorization);
  return tokenHash === null ? null : store.viewer(tokenHash);
}

// ---------------------------------------------------------------- HTTP

function send(res: ServerResponse, status: number, body: string, type = JSON_TYPE, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const restError = (res: ServerResponse, status: number, error: string, description: string, headers?: Record<string, string>) =>
  send(res, status, JSON.stringify({ error, description }), JSON_TYPE, headers);

function internalError(res: ServerResponse, error: unknown): void {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  if (!res.headersSent) restError(res, 500, 'InternalError', 'Unexpected error.');
}

/** Calls `done` with the body as text, or `tooLarge` when it is over the limit. */
function readBody(req: IncomingMessage, res: ServerResponse, tooLarge: () => void, done: (text: string) => void): void {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    tooLarge();
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      over = true;
      tooLarge();
    } else chunks.push(chunk);
  });
  req.on('end', () => {
    if (over) return;
    try {
      done(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      internalError(res, error);
    }
  });
  req.on('error', () => res.destroy());
}

// ---------------------------------------------------------------- REST shim

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

type JsonResult = { ok: true; value: unknown } | { ok: false; description: string };

/** callgate's JSON reading: BOM ignored, the place a syntax error is named, numbers re-read as the digits sent. */
function parseBody(text: string, rawNumbers = false): JsonResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, description: 'Request body is empty; expected a JSON object' };
  if (!rawNumbers) {
    try {
      // An own "__proto__" key from JSON.parse is inert: only named keys are read below.
      return { ok: true, value: JSON.parse(body) };
    } catch {
      // parsed again to say where it breaks
    }
  }
  const parsed = parseJsonText(body, { rawNumbers });
  if (parsed.ok) return parsed;
  const before = body.slice(0, parsed.offset);
  const line = before.split('\n').length;
  const column = parsed.offset - before.lastIndexOf('\n');
  return { ok: false, description: `Invalid JSON at line ${line}, column ${column}: ${parsed.reason}` };
}

function customFieldsOf(body: unknown): unknown {
  return isObject(body) && isObject(body.call) ? body.call.custom_fields : undefined;
}

function readEntries(list: unknown): { ok: true; entries: FieldEntry[] } | { ok: false; details: Record<string, string> } {
  if (!Array.isArray(list)) return { ok: false, details: { 'call.custom_fields': 'Must be an array of custom field entries' } };
  const details: Record<string, string> = {};
  const entries = list.map((item: unknown, index): FieldEntry => {
    const at = `custom_fields.${index}`;
    if (!isObject(item)) {
      details[at] = 'Must be an object with field_id or name, and value';
      return {};
    }
    const entry: FieldEntry = {};
    const fieldId = item.field_id;
    if (fieldId === undefined || fieldId === null || typeof fieldId === 'string') entry.fieldId = fieldId ?? null;
    else details[`${at}.field_id`] = 'field_id must be a string';
    const name = item.name;
    if (name === undefined || name === null || typeof name === 'string') entry.name = name ?? null;
    else details[`${at}.name`] = 'name must be a string';
    if ('value' in item) {
      const value = item.value;
      if (value === null || typeof value === 'string') entry.value = value;
      else if (value instanceof JsonNumber) entry.value = value.text;
      else if (typeof value === 'boolean') entry.value = String(value);
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) entry.values = value;
      else details[`${at}.value`] = 'Value must be a string, number, boolean, null or a list of strings';
    }
    return entry;
  });
  return Object.keys(details).length > 0 ? { ok: false, details } : { ok: true, entries };
}

/** A multiselect value is a JSON array in REST, as callgate answers it. */
const restValue = (v: ValueRow) => (v.type === 'multiselect' ? (parseOptionList(v.value) ?? v.value) : v.value);

const restCall = (call: CallRow, values: ValueRow[]) =>
  JSON.stringify({
    call: {
      call_id: call.call_id,
      setup_time: call.setup_time,
      from_number: call.from_number,
      to_number: call.to_number,
      direction: call.direction,
      duration: call.duration,
      custom_fields: values.map((v) => ({ field_id: v.field_id, name: v.name, value: restValue(v) })),
    },
  });

const REST_ATTRIBUTE = { fieldId: 'field_id', name: 'name', value: 'value', values: 'value' } as const;

const invalidRecord = (res: ServerResponse, details: Record<string, string>) =>
  send(res, 400, JSON.stringify({ error: 'InvalidRecord', description: 'Record Validation errors', details }));

// ---------------------------------------------------------------- GraphQL (the load generator's documents only)

type Variables = Record<string, unknown>;

const gqlValues = (values: ValueRow[]) => values.map((v) => ({ fieldId: v.field_id, name: v.name, value: v.value, updatedAt: v.updated_at }));

function gqlCalls(page: CallPage): Record<string, unknown> {
  const byCall = new Map<string, ValueRow[]>(page.calls.map((c) => [c.call_id, []]));
  for (const row of page.values) byCall.get(row.call_id)!.push(row);
  return {
    edges: page.calls.map((call) => {
      const node = gqlCall(call, byCall.get(call.call_id)!);
      return { node: { ...node, customFields: node.customFields.map(({ fieldId, name, value }) => ({ fieldId, name, value })) } };
    }),
  };
}

const gqlCall = (call: CallRow, values: ValueRow[]) => ({
  id: call.call_id,
  setupTime: call.setup_time,
  fromNumber: call.from_number,
  toNumber: call.to_number,
  direction: call.direction.toUpperCase(),
  duration: call.duration,
  version: call.version,
  customFields: gqlValues(values),
});

class VariableError extends Error {}

function idVariable(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  throw new VariableError(`Variable "$${name}" got invalid value ${JSON.stringify(value)}; ID cannot represent value`);
}

function optionalString(value: unknown, path: string): string | null | undefined {
  if (value === undefined || value === null || typeof value === 'string') return value;
  throw new VariableError(`Variable "$customFields" got invalid value at "${path}"; String cannot represent a non string value`);
}

/** Serves the floor on `store` until SIGTERM or SIGINT; prints {"url": …, …announce} on stdout once listening. */
export function serveFloor(
  store: FloorStore,
  options: { port: number; host: string; announce?: Record<string, unknown>; close: () => MaybePromise<void> },
): void {
  function restGet(res: ServerResponse, viewer: Viewer, rawId: string): void {
    const callId = normalizeCallId(rawId);
    if (!callId) return restError(res, 404, 'NotFound', 'Call not found');
    settle(res, store.call(viewer.tenantId, callId), (found) => {
      if (!found) return restError(res, 404, 'NotFound', 'Call not found');
      send(res, 200, restCall(found.call, found.values));
    });
  }

  function restPut(req: IncomingMessage, res: ServerResponse, viewer: Viewer, rawId: string): void {
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return restError(res, 415, 'UnsupportedMediaType', 'Content-Type must be application/json');
    }
    readBody(
      req,
      res,
      () => restError(res, 413, 'PayloadTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`),
      (text) => {
        let json = parseBody(text);
        if (!json.ok) return restError(res, 400, 'InvalidJSON', json.description);
        const list = customFieldsOf(json.value);
        if (Array.isArray(list) && list.some((e) => isObject(e) && typeof e.value === 'number')) json = parseBody(text, true);
        const input = readEntries(json.ok ? customFieldsOf(json.value) : undefined);
        if (!input.ok) return invalidRecord(res, input.details);
        if (!can(viewer.role, 'edit_calls')) return restError(res, 403, 'Forbidden', FORBIDDEN_MESSAGE);
        const callId = normalizeCallId(rawId);
        if (!callId) return restError(res, 404, 'NotFound', 'Call not found');
        settle(res, store.writeCustomFields(viewer, callId, input.entries, new Date().toISOString()), (outcome) => {
          switch (outcome.kind) {
            case 'not_found':
              return restError(res, 404, 'NotFound', 'Call not found');
            case 'invalid': {
              const details: Record<string, string> = {};
              for (const p of outcome.problems) {
                details[`custom_fields.${p.index}${p.attribute ? `.${REST_ATTRIBUTE[p.attribute]}` : ''}`] ??= p.message;
              }
              return invalidRecord(res, details);
            }
            case 'updated':
              return send(res, 200, restCall(outcome.call, outcome.values));
          }
        });
      },
    );
  }

  const unauthorized = (res: ServerResponse) =>
    restError(res, 401, 'Unauthorized', 'Valid credentials are required (HTTP Basic or Bearer token)', { 'www-authenticate': CHALLENGE });

  /** A REST GET of a call read with its token's user (withToken); false for any other request. */
  function restGetWithToken(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const tokenHash = req.method === 'GET' ? bearerHash(req.headers.authorization) : null;
    const match = CALL_ROUTE.exec(path);
    const callId = match && !match[1]!.includes('%') ? normalizeCallId(match[1]!) : null;
    if (!store.withToken || tokenHash === null || callId === null) return false;
    req.resume();
    settle(res, store.withToken.call(tokenHash, callId), ({ viewer, found }) => {
      if (!viewer) return unauthorized(res);
      if (!found) return restError(res, 404, 'NotFound', 'Call not found');
      send(res, 200, restCall(found.call, found.values));
    });
    return true;
  }

  function rest(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (restGetWithToken(req, res, path)) return;
    settle(res, authenticate(store, req.headers.authorization), (viewer) => {
      if (!viewer) {
        req.resume();
        return unauthorized(res);
      }
      const match = CALL_ROUTE.exec(path);
      if (!match) {
        req.resume();
        return restError(res, 404, 'NotFound', 'No such resource');
      }
      let callId = match[1]!;
      try {
        callId = decodeURIComponent(callId);
      } catch {
        // kept as sent
      }
      switch (req.method) {
        case 'GET':
          req.resume();
          return restGet(res, viewer, callId);
        case 'PUT':
          return restPut(req, res, viewer, callId);
        default:
          req.resume();
          // callgate answers HEAD on every GET route; the floor only names it (no request in the benchmark sends HEAD).
          return restError(res, 405, 'MethodNotAllowed', `${req.method} is not allowed here; use GET, HEAD or PUT`, { allow: 'GET, HEAD, PUT' });
      }
    });
  }

  function setCallCustomFields(viewer: Viewer, variables: Variables): MaybePromise<Record<string, unknown>> {
    const rawId = idVariable(variables.callId, 'callId');
    if (!Array.isArray(variables.customFields)) throw new VariableError('Variable "$customFields" of required type "[CustomFieldValueInput!]!" was not provided.');
    const entries = variables.customFields.map((item: unknown, i): FieldEntry => {
      if (!isObject(item)) throw new VariableError(`Variable "$customFields" got invalid value at "customFields[${i}]"`);
      return {
        fieldId: item.fieldId === undefined || item.fieldId === null ? item.fieldId : idVariable(item.fieldId, `customFields[${i}].fieldId`),
        name: optionalString(item.name, `customFields[${i}].name`),
        value: optionalString(item.value, `customFields[${i}].value`),
      };
    });
    if (!can(viewer.role, 'edit_calls')) return { __typename: 'ForbiddenError', message: FORBIDDEN_MESSAGE };
    const callId = normalizeCallId(rawId);
    if (!callId) return { __typename: 'NotFoundError', message: 'Call not found' };
    return andThen(store.writeCustomFields(viewer, callId, entries, new Date().toISOString()), (outcome) => {
      switch (outcome.kind) {
        case 'not_found':
          return { __typename: 'NotFoundError', message: 'Call not found' };
        case 'invalid':
          return {
            __typename: 'InvalidRecordError',
            message: 'Record Validation errors',
            details: outcome.problems.map((p) => ({ path: `customFields.${p.index}${p.attribute ? `.${p.attribute}` : ''}`, message: p.message })),
          };
        case 'updated':
          return {
            __typename: 'SetCallCustomFieldsSuccess',
            call: { id: outcome.call.call_id, version: outcome.call.version, customFields: gqlValues(outcome.values) },
          };
      }
    });
  }

  function callQuery(viewer: Viewer, variables: Variables): MaybePromise<Record<string, unknown> | null> {
    const callId = normalizeCallId(idVariable(variables.id, 'id'));
    if (!callId) return null;
    return andThen(store.call(viewer.tenantId, callId), (found) => (found ? gqlCall(found.call, found.values) : null));
  }

  function callsQuery(viewer: Viewer): MaybePromise<Record<string, unknown>> {
    return andThen(store.callPage(viewer.tenantId, 50), gqlCalls);
  }

  const operations = new Map<string, (viewer: Viewer, variables: Variables) => MaybePromise<Record<string, unknown>>>([
    [DOCUMENTS.mutation, (viewer, variables) => andThen(setCallCustomFields(viewer, variables), (result) => ({ setCallCustomFields: result }))],
    [DOCUMENTS.call, (viewer, variables) => andThen(callQuery(viewer, variables), (call) => ({ call }))],
    [DOCUMENTS.calls, (viewer) => andThen(callsQuery(viewer), (calls) => ({ calls }))],
  ]);

  function graphqlUnauthorized(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const body = JSON.stringify({ errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] });
    send(res, 401, body, 'application/json', { 'www-authenticate': CHALLENGE });
  }

  /** The call and list documents read with their token's user (withToken); null for the others. */
  function readWithToken(query: unknown, tokenHash: string, variables: Variables): Promise<{ viewer: Viewer | null; data: Record<string, unknown> }> | null {
    const withToken = store.withToken!;
    if (query === DOCUMENTS.calls) return withToken.callPage(tokenHash, 50).then(({ viewer, page }) => ({ viewer, data: { calls: gqlCalls(page) } }));
    if (query !== DOCUMENTS.call) return null;
    const callId = normalizeCallId(idVariable(variables.id, 'id'));
    if (!callId) return null;
    return withToken.call(tokenHash, callId).then(({ viewer, found }) => ({ viewer, data: { call: found ? gqlCall(found.call, found.values) : null } }));
  }

  function graphql(req: IncomingMessage, res: ServerResponse): void {
    const tokenHash = store.withToken ? bearerHash(req.headers.authorization) : null;
    if (tokenHash !== null) return answer(req, res, () => store.viewer(tokenHash), tokenHash);
    settle(res, authenticate(store, req.headers.authorization), (viewer) => (viewer ? answer(req, res, () => viewer, null) : graphqlUnauthorized(req, res)));
  }

  /** Answers a benchmark document: read with its token's user where withToken can, else for `viewer`. */
  function answer(req: IncomingMessage, res: ServerResponse, viewer: () => MaybePromise<Viewer | null>, tokenHash: string | null): void {
    const type = (req.headers.accept ?? '').includes('application/graphql-response+json') ? GRAPHQL_RESPONSE_TYPE : JSON_TYPE;
    const fail = (status: number, message: string) => send(res, status, JSON.stringify({ errors: [{ message }] }), type);
    if (req.method !== 'POST' || !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return fail(405, 'The floor answers only POST application/json');
    }
    readBody(
      req,
      res,
      () => fail(413, 'Request body is too large'),
      (text) => {
        let params: { query?: unknown; variables?: unknown };
        try {
          params = JSON.parse(text) as typeof params;
        } catch {
          return fail(400, 'POST body sent invalid JSON.');
        }
        const operation = typeof params.query === 'string' ? operations.get(params.query) : undefined;
        if (!operation) return fail(400, 'The floor answers only the benchmark documents');
        const variables = isObject(params.variables) ? params.variables : {};
        try {
          const read = tokenHash === null ? null : readWithToken(params.query, tokenHash, variables);
          if (read) {
            return settle(res, read, (result) => (result.viewer ? send(res, 200, JSON.stringify({ data: result.data }), type) : graphqlUnauthorized(req, res)));
          }
        } catch (error) {
          if (error instanceof VariableError) return fail(400, error.message);
          throw error;
        }
        settle(res, viewer(), (found) => {
          if (!found) return graphqlUnauthorized(req, res);
          let data: MaybePromise<Record<string, unknown>>;
          try {
            data = operation(found, variables);
          } catch (error) {
            if (error instanceof VariableError) return fail(400, error.message);
            throw error;
          }
          settle(res, data, (result) => send(res, 200, JSON.stringify({ data: result }), type));
        });
      },
    );
  }

  const server = createServer((req, res) => {
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (path === '/graphql') return graphql(req, res);
      if (path.startsWith('/api/')) return rest(req, res, path);
      req.resume();
      send(res, 404, '');
    } catch (error) {
      internalError(res, error);
    }
  });
  server.keepAliveTimeout = 5_000;

  server.listen(options.port, options.host, () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ url: `http://${options.host}:${port}`, ...options.announce })}\n`);
  });

  const stop = () => {
    server.close(() => {
      void Promise.resolve()
        .then(options.close)
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
