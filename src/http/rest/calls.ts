import { decideChangeSet } from '../../core/change-set.js';
import type { CustomFieldDefinition, CustomFieldType } from '../../core/custom-field.js';
import { locationOfGraphqlPath, restKey } from '../../core/entry-location.js';
import { parseJson } from '../../core/json-text.js';
import type { Viewer } from '../../core/viewer.js';
import { isReply, readConditions, type Conditions } from '../conditional-requests.js';
import { entityTagOf, namesCurrent } from '../entity-tags.js';
import { invalidRecord, jsonReply, restError, type RestReply } from '../reply.js';
import { bodyRefused, MAX_BODY_BYTES, unsupportedMediaType, type RestRequest } from '../request-body.js';
import { hasNumberValue, readCustomFieldsBody, type EntryProblemAt, type RestEntry } from './call-body.js';
import {
  CHECK_CALL_CUSTOM_FIELDS,
  GET_CALL,
  SET_CALL_CUSTOM_FIELDS,
  type RestCall,
  type ResultOf,
} from './documents.js';
import { failedOperation, type OperationRunner } from './operation.js';
import { failureReply } from './outcomes.js';

/** The vendor's call object, keys in the vendor's order; a multiselect value is a JSON array. */
export function toRestCallObject(call: RestCall) {
  return {
    call_id: call.id,
    setup_time: call.setupTime,
    from_number: call.fromNumber,
    to_number: call.toNumber,
    direction: call.direction.toLowerCase(),
    duration: call.duration,
    custom_fields: call.customFields.map((f) => ({ field_id: f.fieldId, name: f.name, value: f.values ?? f.value })),
  };
}

/**
 * A call as GET and a successful PUT answer it. Its entity tag hashes the
 * body and the version: it changes whenever the body does (a field renamed)
 * and with every write (one that set a value to what it was, too).
 */
function callReply(call: RestCall & { version: number }): RestReply {
  const reply = jsonReply(200, { call: toRestCallObject(call) });
  reply.headers.etag = entityTagOf(reply.body, call.version);
  return reply;
}

/** No call is ever at this version (versions start at 1): the expected version of a write whose precondition failed. */
const NO_VERSION = 0;

const IF_MATCH_REFUSED = 'Call has changed: If-Match does not name its current ETag; nothing was written';
const IF_NONE_MATCH_REFUSED = 'Call matches If-None-Match (its current ETag, or * for any call); nothing was written';
const CHANGED_WHILE_CHECKED = 'Call has changed while the request’s conditions were checked; nothing was written';

/**
 * What a PUT's If-Match and If-None-Match ask, as the expected version the
 * mutation checks under its write lock: the version of the call whose ETag
 * the conditions accepted, or NO_VERSION when they refused it or there is
 * no such call; with the 412 description for a VERSION_MISMATCH then.
 */
type Precondition = { expectedVersion: number | undefined; refused: string | null };

/** A mutation detail's GraphQL path as the vendor's key ("customFields.2.fieldId" -> "custom_fields.2.field_id"). */
const restDetailKey = (path: string) => {
  const location = locationOfGraphqlPath(path);
  return location ? restKey(location) : path;
};

/** Problems as the vendor's details, in entry order (the list's own first); the first message per key wins. */
function detailsInEntryOrder(problems: readonly EntryProblemAt[]): Record<string, string> {
  const order = ({ location }: EntryProblemAt) => ('list' in location ? -1 : location.index);
  const details: Record<string, string> = {};
  for (const problem of [...problems].sort((a, b) => order(a) - order(b))) details[restKey(problem.location)] ??= problem.message;
  return details;
}

const FIELD_TYPE: Record<ResultOf<typeof CHECK_CALL_CUSTOM_FIELDS>['customFields'][number]['type'], CustomFieldType> = {
  TEXT: 'text',
  OPTION: 'option',
  NUMBER: 'number',
  DATE: 'date',
  MULTISELECT: 'multiselect',
  BOOLEAN: 'boolean',
};

/** The definitions the change-set rules judge by, from what the check query read. */
function definitionsOf(fields: ResultOf<typeof CHECK_CALL_CUSTOM_FIELDS>['customFields'], tenantId: string): CustomFieldDefinition[] {
  return fields.map((field) => ({
    fieldId: field.id,
    tenantId,
    name: field.name,
    description: null,
    type: FIELD_TYPE[field.type],
    options: field.options ? [...field.options] : null,
    maxLength: field.maxLength,
    editable: field.editable,
    enabled: field.enabled,
    previousNames: field.previousNames,
  }));
}

/**
 * The REST shim for one call: GET and PUT `/api/v2/calls/{call_id}.json`, each
 * a fixed GraphQL document run for the viewer the router authenticated.
 */
export function createRestCallRoutes(operations: OperationRunner) {
  const getCall = operations.prepare(GET_CALL, { compile: true });
  const setCustomFields = operations.prepare(SET_CALL_CUSTOM_FIELDS, { compile: true });
  const checkCustomFields = operations.prepare(CHECK_CALL_CUSTOM_FIELDS);

  async function get(request: RestRequest, viewer: Viewer, callId: string): Promise<RestReply> {
    const result = await operations.run(request, viewer, getCall, { id: callId });
    const call = result.data?.call;
    if (result.errors?.length || call === undefined) return failedOperation(result);
    return call ? callReply(call) : restError(404, 'NotFound', 'Call not found');
  }

  /**
   * A body with malformed entries is answered 400 without running the
   * mutation: its other entries are judged by the same change-set rules
   * against the definitions a query reads, so the client learns every
   * problem at once, and nothing can be written. As the mutation would, it
   * names only the malformed entries when the viewer may not edit, the call
   * does not exist or is not at the expected version.
   */
  async function refuseMalformed(
    request: RestRequest,
    viewer: Viewer,
    callId: string,
    expectedVersion: number | undefined,
    entries: readonly (RestEntry | null)[],
    malformed: EntryProblemAt[],
  ): Promise<RestReply> {
    const result = await operations.run(request, viewer, checkCustomFields, { callId });
    const data = result.data;
    if (result.errors?.length || !data) return failedOperation(result);
    const applies =
      data.viewer.permissions.includes('EDIT_CALLS') && data.call !== null && (expectedVersion === undefined || data.call.version === expectedVersion);
    if (!applies) return invalidRecord(detailsInEntryOrder(malformed));
    const decision = decideChangeSet(entries, definitionsOf(data.customFields, viewer.tenantId));
    const judged = decision.ok ? [] : decision.problems.map((problem) => ({ location: problem, message: problem.message }));
    return invalidRecord(detailsInEntryOrder([...malformed, ...judged]));
  }

  /**
   * Without conditions, or with `If-Match: *` alone, the write is the
   * vendor's (a missing call is a 404 either way). Otherwise the call is read
   * as GET reads it and its ETag compared, strongly for If-Match and weakly
   * for If-None-Match; a refusal still runs the mutation, at NO_VERSION, so
   * that 403 and 404 come before the 412 as they do for a stale version.
   */
  async function preconditionOf(request: RestRequest, viewer: Viewer, callId: string, { ifMatch, ifNoneMatch }: Conditions): Promise<Precondition | RestReply> {
    if (ifNoneMatch === null && (ifMatch === null || ifMatch.any)) return { expectedVersion: undefined, refused: null };
    const result = await operations.run(request, viewer, getCall, { id: callId });
    const call = result.data?.call;
    if (result.errors?.length || call === undefined) return failedOperation(result);
    const changed = ifMatch && !ifMatch.any ? IF_MATCH_REFUSED : CHANGED_WHILE_CHECKED;
    if (call === null) return { expectedVersion: NO_VERSION, refused: changed };
    const etag = callReply(call).headers.etag!;
    if (ifMatch && !namesCurrent(ifMatch, etag, 'strong')) return { expectedVersion: NO_VERSION, refused: IF_MATCH_REFUSED };
    if (ifNoneMatch && namesCurrent(ifNoneMatch, etag, 'weak')) return { expectedVersion: NO_VERSION, refused: IF_NONE_MATCH_REFUSED };
    return { expectedVersion: call.version, refused: changed };
  }

  async function put(request: RestRequest, viewer: Viewer, callId: string): Promise<RestReply> {
    const wrongType = unsupportedMediaType(request);
    if (wrongType) return wrongType;
    const conditions = readConditions(request);
    if (isReply(conditions)) return conditions;
    const body = await request.readBody(MAX_BODY_BYTES);
    if (!body.ok) return bodyRefused(body.reason);
    let json: { ok: true; value: unknown } | { ok: false; description: string } = parseJson(body.text);
    if (!json.ok) return restError(400, 'InvalidJSON', json.description);
    // Rare: a number value is re-read as the digits sent, which JSON.parse would round.
    if (hasNumberValue(json.value)) {
      const exact = parseJson(body.text, { rawNumbers: true });
      // The exact parser refuses absurd nesting that JSON.parse took: keep JSON.parse's reading then.
      if (exact.ok) json = exact;
    }
    const input = readCustomFieldsBody(json.value);
    if (input.kind === 'list') return invalidRecord(detailsInEntryOrder([input.problem]));
    const precondition = await preconditionOf(request, viewer, callId, conditions);
    if (isReply(precondition)) return precondition;
    const { expectedVersion, refused } = precondition;
    if (input.problems.length > 0) return refuseMalformed(request, viewer, callId, expectedVersion, input.entries, input.problems);
    const customFields = input.entries.filter((entry) => entry !== null);

    const result = await operations.run(request, viewer, setCustomFields, { callId, customFields, expectedVersion: expectedVersion ?? null });
    const outcome = result.data?.setCallCustomFields;
    if (result.errors?.length || !outcome) return failedOperation(result);
    if (outcome.__typename === 'SetCallCustomFieldsSuccess') return callReply(outcome.call);
    if (outcome.__typename === 'ConflictError' && outcome.reason === 'VERSION_MISMATCH' && refused) return restError(412, 'PreconditionFailed', refused);
    return failureReply(outcome, restDetailKey);
  }

  return { get, put };
}
