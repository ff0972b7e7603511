import { CHALLENGE } from '../auth/authenticator.js';
import { MAX_PAGE_SIZE } from '../core/call-list.js';
import { DIRECTIONS } from '../core/call.js';
import { CHANGE_CHANNELS, CHANGE_KINDS } from '../core/change-log.js';
import { CUSTOM_FIELD_TYPES } from '../core/custom-field.js';
import { MAX_ENTRIES } from '../core/change-set.js';
import { CACHE_CONTROL, conditionalGet } from './conditional-requests.js';
import { jsonReply, methodNotAllowed, type RestReply } from './reply.js';
import { MAX_BODY_BYTES, type RestRequest } from './request-body.js';
import { DEFAULT_LIMIT } from './rest/call-list.js';
import { CHANGES_DEFAULT_LIMIT, HISTORY_DEFAULT_LIMIT } from './rest/history.js';
import { WEBHOOK_DELIVERIES_DEFAULT_LIMIT, WEBHOOK_DELIVERIES_MAX_LIMIT } from './rest/webhooks.js';

/** Where the description is served; it needs no credentials (it describes the API, not data). */
export const OPENAPI_PATH = '/api/v2/openapi.json';

type Json = Record<string, unknown>;

/** The response headers the description names (components.headers); operations use them inline. */
const HEADERS = {
  ETag: { description: 'A strong entity tag: 22 characters in double quotes. Opaque: not a version, no order.', schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]{22}"$' } },
  CacheControl: { description: 'Any cache may keep the answer for this user only and must revalidate it before reuse.', schema: { type: 'string', const: CACHE_CONTROL } },
  Location: { description: 'The new resource, a path relative to the server.', schema: { type: 'string', format: 'uri-reference' } },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^\\d+$' } },
  WWWAuthenticate: { description: 'The scheme to log in with.', schema: { type: 'string', const: CHALLENGE } },
  Allow: { description: 'The methods the path takes.', schema: { type: 'string' } },
  XRequestId: { description: 'The request id (the client\'s X-Request-Id when it sent one), also in the log line.', schema: { type: 'string' } },
};

/** A response header, inline: OpenAPI 3.1 takes no `required` next to a `$ref`. */
const header = (name: keyof typeof HEADERS, required = false) => ({ ...HEADERS[name], ...(required && { required: true }) });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const parameter = (name: string) => ({ $ref: `#/components/parameters/${name}` });

/**
 * A vendor error body whose `error` is one of `codes`. Each status of each
 * operation lists the codes it can carry, so a client (and the contract run
 * in test/fuzz/rest-contract.test.ts) can rely on them.
 */
function errorResponse(description: string, codes: readonly string[], headers: Json = {}): Json {
  return {
    description,
    headers: { 'X-Request-Id': header('XRequestId'), ...headers },
    content: { 'application/json': { schema: { allOf: [ref('Error'), { properties: { error: { enum: [...codes] } } }] } } },
  };
}

/** The answers every authenticated operation can get, whatever it is. */
const COMMON_ERRORS = {
  '401': { $ref: '#/components/responses/Unauthorized' },
  '408': { $ref: '#/components/responses/RequestTimeout' },
  '429': { $ref: '#/components/responses/TooManyRequests' },
  '503': { $ref: '#/components/responses/ServiceUnavailable' },
};

const badRequest = (description: string, ...codes: string[]) => ({ '400': errorResponse(description, [...codes, 'BadRequest']) });
const forbidden = { '403': errorResponse('The API user\'s role does not allow this.', ['Forbidden']) };
const notFound = (what: string) => ({ '404': errorResponse(`No such ${what} in the API user's tenant.`, ['NotFound']) });
const webhooksUnavailable = {
  '501': errorResponse('This server has no webhooks (on PostgreSQL, WEBHOOK_SECRET_KEY is not set).', ['NotImplemented']),
};
const conflict = {
  '409': errorResponse('A name or id is taken (DUPLICATE), or stored values are at stake: repeat with `force=true` (then `affected_values` says how many).', ['Conflict']),
};
const jsonBodyRefusals = {
  '413': errorResponse(`The body is larger than ${MAX_BODY_BYTES} bytes.`, ['PayloadTooLarge']),
  '415': errorResponse('The Content-Type is not application/json.', ['UnsupportedMediaType']),
};
const preconditionFailed = (description: string) => ({ '412': errorResponse(description, ['PreconditionFailed']) });

/** A JSON 200 (or 201) with its body schema and headers. */
const jsonResponse = (description: string, schema: Json, headers: Json = {}) => ({
  description,
  headers: { 'X-Request-Id': header('XRequestId'), ...headers },
  content: { 'application/json': { schema } },
});

interface ReadOptions {
  parameters?: Json[];
  /** Responses besides 200, 304, 400 and 412. */
  errors: Json;
  /** Whether query parameters can be refused (400 InvalidParameter). */
  invalidParameter?: boolean;
  /** Overrides the document's security (none for this description). */
  security?: Json[];
}

/**
 * GET with HTTP caching (conditional-requests.ts) and the HEAD that goes with
 * it: the same statuses and headers, no body.
 */
function readOperations(operationId: string, summary: string, body: Json, options: ReadOptions): Record<'get' | 'head', Json> {
  const validators = { ETag: header('ETag', true), 'Cache-Control': header('CacheControl', true) };
  const responses: Record<string, Json> = {
    '200': jsonResponse('The resource; its `ETag` is a hash of the exact body.', body, validators),
    '304': { description: 'Not Modified: `If-None-Match` names the current `ETag`. No body.', headers: { 'X-Request-Id': header('XRequestId'), ...validators } },
    ...badRequest(
      options.invalidParameter
        ? 'A query parameter is invalid (InvalidParameter), or `If-Match`/`If-None-Match` is not `*` or a list of entity tags (InvalidHeader).'
        : '`If-Match` or `If-None-Match` is not `*` or a list of entity tags (InvalidHeader).',
      ...(options.invalidParameter ? ['InvalidParameter'] : []),
      'InvalidHeader',
    ),
    ...preconditionFailed('`If-Match` does not name the current `ETag`.'),
    ...options.errors,
  };
  const get = {
    operationId,
    summary,
    ...(options.security && { security: options.security }),
    parameters: [...(options.parameters ?? []), parameter('IfNoneMatch'), parameter('IfMatch')],
    responses,
  };
  const headResponses = Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      '$ref' in response ? response : { description: `As GET, without a body. ${String(response.description)}`, headers: response.headers },
    ]),
  );
  return { get, head: { ...get, operationId: `${operationId}Head`, summary: `${summary} (headers only)`, responses: headResponses } };
}

const ERROR_CODES_TABLE = [
  '| status | `error` | when |',
  '|---|---|---|',
  '| 400 | `InvalidRecord` | the body (or `force`) is invalid; `details` has a message per attribute or entry (`custom_fields.0.value`) |',
  '| 400 | `InvalidJSON`, `InvalidHeader`, `InvalidParameter`, `BadRequest` | the body is not JSON; `If-Match`/`If-None-Match` is malformed; a query parameter is; the body ended early or the Host header is invalid |',
  '| 401 | `Unauthorized` | no or bad credentials (`WWW-Authenticate: Basic realm="callgate"`) |',
  '| 403 | `Forbidden` | the role does not allow it |',
  '| 404 | `NotFound` | no such call, field, webhook or delivery in the tenant, or no such route |',
  '| 405 | `MethodNotAllowed` | a method the path does not take; `Allow` lists the ones it does (HEAD wherever GET) |',
  '| 408 | (no body) | the request took longer than the server allows (headers 10 s, whole request 30 s) |',
  '| 409 | `Conflict` | a taken name or id; stored values at stake (`affected_values`) |',
  '| 412 | `PreconditionFailed` | `If-Match` does not name the current `ETag`, or `If-None-Match` does (PUT) |',
  '| 413 | `PayloadTooLarge` | a body over 1 MiB |',
  '| 415 | `UnsupportedMediaType` | a body that is not `application/json` |',
  '| 429 | `TooManyRequests` | too many failed Basic logins; `Retry-After` says when to retry |',
  '| 501 | `NotImplemented` | webhooks are not available on this server (PostgreSQL without `WEBHOOK_SECRET_KEY`) |',
  '| 503 | `ServiceUnavailable` | the database is unavailable or busy; `Retry-After: 1` |',
].join('\n');

const uuidLike = { type: 'string', description: 'A UUID as the vendor gives them, e.g. `138fb20c-4c3b-11ee-8cbb-0015172d2a7d`.' };

const customFieldAttributes = {
  field_id: { ...uuidLike, description: 'The field\'s id (a UUID).' },
  name: { type: 'string', description: 'Unique within the tenant, case-insensitively.' },
  description: { type: ['string', 'null'] },
  type: { type: 'string', enum: [...CUSTOM_FIELD_TYPES] },
  str_max_len: { type: ['integer', 'null'], description: 'The longest value of a `text` field (null: 255); null for other types.' },
  options: { type: ['array', 'null'], items: { type: 'string' }, description: 'The choices of an `option` or `multiselect` field; null for other types.' },
  editable: { type: 'boolean' },
  enable: { type: 'boolean', description: 'false for a disabled field: it keeps its values but takes no new ones.' },
};

/** The input attributes: what a body may send (every attribute nullable: null leaves a default or clears). */
const customFieldInputAttributes = {
  field_id: { type: ['string', 'null'], description: 'POST: an id (UUID) of your choice, or null for a new one. PUT: must be the id in the URL.' },
  name: { type: 'string' },
  description: { type: ['string', 'null'] },
  type: { type: 'string', enum: [...CUSTOM_FIELD_TYPES] },
  str_max_len: { type: ['integer', 'null'], minimum: 1, maximum: 2 ** 31 - 1 },
  options: { type: ['array', 'null'], items: { type: 'string' } },
  editable: { type: ['boolean', 'null'] },
  enable: { type: ['boolean', 'null'] },
};

/** What a webhook body may send. */
const webhookInputAttributes = {
  url: { type: 'string', description: 'https:// (plain http only for hosts the operator allows); not a private address unless allowed.' },
  fields: { type: ['array', 'null'], items: { type: 'string' }, description: 'Custom fields by id (UUID) or name; null or [] for every field.' },
  enabled: { type: 'boolean' },
};

/**
 * The OpenAPI 3.1 description of the REST shim, next to the routes it
 * describes (routes.ts): every path and method of `restRoutes` (a test walks
 * both and fails on any difference), their parameters, bodies, statuses and
 * error codes. openapi/openapi.json is this object printed (`npm run
 * openapi:print`; `npm run openapi:check` fails when it differs).
 */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'callgate REST API v2',
    version: '2',
    description: [
      'The vendor-compatible REST shim of callgate: calls and their custom field values, the custom field definitions, ' +
        'and the change history of the values. ' +
        'Every route runs as a GraphQL operation through the same pipeline as `/graphql`. See docs/rest.md.',
      '',
      'Every route but this document needs HTTP Basic or a Bearer token. Errors have the vendor\'s body ' +
        '`{"error": "...", "description": "..."}`, plus `details` for `InvalidRecord`:',
      '',
      ERROR_CODES_TABLE,
      '',
      'HTTP caching: every GET (and HEAD) answers 200 with a strong `ETag` and `Cache-Control: ' + CACHE_CONTROL + '`; ' +
        '`If-None-Match` naming the current `ETag` gets 304 without a body. `PUT /api/v2/calls/{call_id}.json` with `If-Match` ' +
        'applies only while the call still has that `ETag` (412 otherwise); tags compare as the exact strings sent and a weak tag never matches `If-Match`.',
    ].join('\n'),
  },
  servers: [{ url: '/' }],
  security: [{ basicAuth: [] }, { bearerAuth: [] }],
  paths: {
    '/api/v2/calls.json': readOperations(
      'listCalls',
      'The tenant\'s calls, a page at a time',
      ref('CallPage'),
      {
        parameters: [parameter('limit'), parameter('start'), parameter('daterange'), parameter('search_term'), parameter('sort_order')],
        invalidParameter: true,
        errors: { ...forbidden, ...COMMON_ERRORS },
      },
    ),
    '/api/v2/custom_fields.json': {
      ...readOperations('listCustomFields', 'Every custom field of the tenant, disabled ones too', ref('CustomFieldList'), { errors: { ...forbidden, ...COMMON_ERRORS } }),
      post: {
        operationId: 'createCustomField',
        summary: 'Create a custom field (admin)',
        requestBody: { required: true, content: { 'application/json': { schema: ref('CreateCustomFieldBody') } } },
        responses: {
          '201': jsonResponse('The new field.', ref('CustomFieldBody'), { Location: header('Location', true) }),
          ...badRequest('The body is not JSON (InvalidJSON) or its attributes are invalid (InvalidRecord, `details` by attribute).', 'InvalidRecord', 'InvalidJSON'),
          ...forbidden,
          ...conflict,
          ...jsonBodyRefusals,
          ...COMMON_ERRORS,
        },
      },
    },
    '/api/v2/custom_fields/{field_id}.json': {
      parameters: [parameter('field_id')],
      ...readOperations('getCustomField', 'One custom field', ref('CustomFieldBody'), { errors: { ...forbidden, ...notFound('custom field'), ...COMMON_ERRORS } }),
      put: {
        operationId: 'updateCustomField',
        summary: 'Change a custom field\'s attributes (admin); attributes left out keep their values',
        parameters: [parameter('force')],
        requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateCustomFieldBody') } } },
        responses: {
          '200': jsonResponse('The field as it is now, and how many stored values the change cleared.', ref('UpdatedCustomField')),
          ...badRequest('The body is not JSON (InvalidJSON), or it or `force` is invalid (InvalidRecord).', 'InvalidRecord', 'InvalidJSON'),
          ...forbidden,
          ...notFound('custom field'),
          ...conflict,
          ...jsonBodyRefusals,
          ...COMMON_ERRORS,
        },
      },
      delete: {
        operationId: 'deleteCustomField',
        summary: 'Delete a custom field (admin); with stored values only with `force=true`',
        parameters: [parameter('force')],
        responses: {
          '200': jsonResponse('The deleted field, and how many stored values went with it.', ref('DeletedCustomField')),
          ...badRequest('`force` is invalid (InvalidRecord).', 'InvalidRecord'),
          ...forbidden,
          ...notFound('custom field'),
          ...conflict,
          ...COMMON_ERRORS,
        },
      },
    },
    '/api/v2/calls/{call_id}.json': {
      parameters: [parameter('call_id')],
      ...readOperations('getCall', 'One call with its custom field values', ref('CallBody'), { errors: { ...notFound('call'), ...COMMON_ERRORS } }),
      put: {
        operationId: 'setCallCustomFields',
        summary: 'Set or clear custom field values of a call (the vendor\'s PUT); fields not listed keep their values',
        parameters: [parameter('IfMatch'), parameter('IfNoneMatch')],
        requestBody: { required: true, content: { 'application/json': { schema: ref('SetCallCustomFieldsBody') } } },
        responses: {
          '200': jsonResponse('The call after the update, with its new `ETag`.', ref('CallBody'), { ETag: header('ETag', true) }),
          ...badRequest(
            'Invalid entries (InvalidRecord, `details` keyed `custom_fields.N.value` and so on; nothing is written), a body that is not JSON (InvalidJSON), a malformed `If-Match`/`If-None-Match` (InvalidHeader).',
            'InvalidRecord',
            'InvalidJSON',
            'InvalidHeader',
          ),
          ...forbidden,
          ...notFound('call'),
          ...preconditionFailed('`If-Match` does not name the call\'s current `ETag`, or `If-None-Match` does; nothing was written.'),
          ...jsonBodyRefusals,
          ...COMMON_ERRORS,
        },
      },
    },
    '/api/v2/calls/{call_id}/custom_fields/history.json': {
      parameters: [parameter('call_id')],
      ...readOperations(
        'getCallHistory',
        'A call\'s custom field value changes, newest first, a page at a time (any role)',
        ref('ChangeHistoryPage'),
        {
          parameters: [parameter('history_limit'), parameter('before'), parameter('field')],
          invalidParameter: true,
          errors: { ...forbidden, ...notFound('call'), ...COMMON_ERRORS },
        },
      ),
    },
    '/api/v2/changes.json': readOperations(
      'listChanges',
      'The tenant\'s change log, oldest first, from a sequence on: the feed for syncs (any role)',
      ref('ChangeFeedPage'),
      {
        parameters: [
          parameter('after'),
          parameter('changes_limit'),
          parameter('call_id_filter'),
          parameter('field'),
          parameter('actor'),
          parameter('channel'),
          parameter('since'),
          parameter('until'),
        ],
        invalidParameter: true,
        errors: { ...forbidden, ...COMMON_ERRORS },
      },
    ),
    '/api/v2/webhooks.json': {
      ...readOperations('listWebhooks', 'The tenant\'s webhook endpoints (admin), without their secrets', ref('WebhookList'), { errors: { ...forbidden, ...webhooksUnavailable, ...COMMON_ERRORS } }),
      post: {
        operationId: 'createWebhook',
        summary: 'Register a webhook endpoint (admin); the signing secret is in the answer, once',
        requestBody: { required: true, content: { 'application/json': { schema: ref('CreateWebhookBody') } } },
        responses: {
          '201': jsonResponse('The new endpoint and its secret (`whsec_...`), shown this once.', ref('CreatedWebhook'), { Location: header('Location', true) }),
          ...badRequest('The body is not JSON (InvalidJSON), or the URL or fields are refused (InvalidRecord, `details` keyed `url`, `fields.N`).', 'InvalidRecord', 'InvalidJSON'),
          ...forbidden,
          ...webhooksUnavailable,
          ...jsonBodyRefusals,
          ...COMMON_ERRORS,
        },
      },
    },
    '/api/v2/webhooks/{webhook_id}.json': {
      parameters: [parameter('webhook_id')],
      ...readOperations('getWebhook', 'One webhook endpoint (admin)', ref('WebhookBody'), { errors: { ...forbidden, ...notFound('webhook'), ...webhooksUnavailable, ...COMMON_ERRORS } }),
      put: {
        operationId: 'updateWebhook',
        summary: 'Change a webhook endpoint (admin): attributes left out keep their values; `fields: null` is every field; enabling clears the disabled reason',
        requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateWebhookBody') } } },
        responses: {
          '200': jsonResponse('The endpoint as it is now.', ref('WebhookBody')),
          ...badRequest('The body is not JSON (InvalidJSON), or the URL or fields are refused (InvalidRecord).', 'InvalidRecord', 'InvalidJSON'),
          ...forbidden,
          ...notFound('webhook'),
          ...webhooksUnavailable,
          ...jsonBodyRefusals,
          ...COMMON_ERRORS,
        },
      },
      delete: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook endpoint and its deliveries (admin)',
        responses: { '200': jsonResponse('The endpoint as it was.', ref('WebhookBody')), ...forbidden, ...notFound('webhook'), ...webhooksUnavailable, ...COMMON_ERRORS },
      },
    },
    '/api/v2/webhooks/{webhook_id}/deliveries.json': {
      parameters: [parameter('webhook_id')],
      ...readOperations('listWebhookDeliveries', 'An endpoint\'s deliveries, newest first, with their attempts (admin)', ref('WebhookDeliveryPage'), {
        parameters: [parameter('deliveries_limit'), parameter('delivery_after')],
        invalidParameter: true,
        errors: { ...forbidden, ...notFound('webhook'), ...webhooksUnavailable, ...COMMON_ERRORS },
      }),
    },
    '/api/v2/webhooks/{webhook_id}/rotate_secret.json': {
      parameters: [parameter('webhook_id')],
      post: {
        operationId: 'rotateWebhookSecret',
        summary: 'Give an endpoint a new signing secret (admin); the old one keeps signing beside it for `overlap_seconds`',
        parameters: [parameter('overlap_seconds')],
        responses: {
          '200': jsonResponse('The new secret, shown this once, and when the old one stops signing.', ref('RotatedWebhook')),
          ...badRequest('`overlap_seconds` is not a whole number (InvalidParameter) or out of range (InvalidRecord).', 'InvalidParameter', 'InvalidRecord'),
          ...forbidden,
          ...notFound('webhook'),
          ...webhooksUnavailable,
          ...COMMON_ERRORS,
        },
      },
    },
    '/api/v2/webhooks/{webhook_id}/test.json': {
      parameters: [parameter('webhook_id')],
      post: {
        operationId: 'sendWebhookTestEvent',
        summary: 'Queue a signed `webhook.test` event for an endpoint (admin)',
        responses: { '202': jsonResponse('The queued delivery.', ref('WebhookDeliveryBody')), ...forbidden, ...notFound('webhook'), ...webhooksUnavailable, ...COMMON_ERRORS },
      },
    },
    '/api/v2/webhook_deliveries/{delivery_id}/redeliver.json': {
      parameters: [parameter('delivery_id')],
      post: {
        operationId: 'redeliverWebhookEvent',
        summary: 'Send a delivery again, due now, with the same event id (admin)',
        responses: {
          '202': jsonResponse('The delivery, pending again.', ref('WebhookDeliveryBody')),
          ...forbidden,
          ...notFound('webhook delivery'),
          ...webhooksUnavailable,
          ...COMMON_ERRORS,
        },
      },
    },
    [OPENAPI_PATH]: readOperations('getOpenApiDocument', 'This description (no credentials needed)', { type: 'object' }, {
      errors: { '408': COMMON_ERRORS['408'] },
      security: [],
    }),
  },
  components: {
    securitySchemes: {
      basicAuth: { type: 'http', scheme: 'basic', description: 'username:password of an API user; failed logins are throttled (429).' },
      bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (createApiToken in GraphQL, or `callgate users token`).' },
    },
    parameters: {
      call_id: { name: 'call_id', in: 'path', required: true, schema: uuidLike },
      webhook_id: { name: 'webhook_id', in: 'path', required: true, schema: uuidLike },
      delivery_id: { name: 'delivery_id', in: 'path', required: true, schema: uuidLike },
      deliveries_limit: {
        name: 'limit',
        in: 'query',
        description: 'Deliveries per page (more is a 400, not a silent cap).',
        schema: { type: 'integer', minimum: 1, maximum: WEBHOOK_DELIVERIES_MAX_LIMIT, default: WEBHOOK_DELIVERIES_DEFAULT_LIMIT },
      },
      delivery_after: { name: 'after', in: 'query', description: 'A delivery id: the deliveries older than it (the cursor `next_url` carries).', schema: uuidLike },
      overlap_seconds: {
        name: 'overlap_seconds',
        in: 'query',
        description: 'How long the old secret keeps signing, 0 to 604800 (default 86400).',
        schema: { type: 'integer', minimum: 0, maximum: 604800, default: 86400 },
      },
      field_id: { name: 'field_id', in: 'path', required: true, schema: uuidLike },
      limit: { name: 'limit', in: 'query', description: 'Calls per page (more is a 400, not a silent cap).', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_LIMIT } },
      start: { name: 'start', in: 'query', description: 'How many calls to skip.', schema: { type: 'integer', minimum: 0, maximum: 999_999_999_999_999, default: 0 } },
      daterange: {
        name: 'daterange',
        in: 'query',
        description: 'Calls set up on these UTC days, both included; the first day not after the second.',
        schema: { type: 'string', pattern: '^\\d{4}/\\d{2}/\\d{2}-\\d{4}/\\d{2}/\\d{2}$', examples: ['2026/01/01-2026/01/31'] },
      },
      search_term: { name: 'search_term', in: 'query', description: 'The from or the to number starts with it (`+` is a plus sign).', schema: { type: 'string' } },
      sort_order: { name: 'sort_order', in: 'query', description: 'By setup time; newest first by default.', schema: { type: 'string', enum: ['asc', 'desc'], default: 'desc' } },
      history_limit: {
        name: 'limit',
        in: 'query',
        description: 'Records per page (more is a 400, not a silent cap).',
        schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: HISTORY_DEFAULT_LIMIT },
      },
      before: {
        name: 'before',
        in: 'query',
        description: 'Records with a smaller sequence only: the cursor `next_url` carries, so a page never shifts when new changes arrive.',
        schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      },
      field: {
        name: 'field',
        in: 'query',
        description: 'Records of one custom field: a UUID is its id; anything else its name now, a name it had, or the name a record was written under.',
        schema: { type: 'string', minLength: 1 },
      },
      after: {
        name: 'after',
        in: 'query',
        description: 'Records with a larger sequence only (0: from the start of the log): the `after` of the last page read.',
        schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
      },
      changes_limit: {
        name: 'limit',
        in: 'query',
        description: 'Records per page (more is a 400, not a silent cap).',
        schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: CHANGES_DEFAULT_LIMIT },
      },
      call_id_filter: { name: 'call_id', in: 'query', description: 'Records of this call only.', schema: uuidLike },
      actor: {
        name: 'actor',
        in: 'query',
        description: 'Records made by this API user (username), or `cli` for the operator\'s CLI.',
        schema: { type: 'string', minLength: 1 },
      },
      channel: { name: 'channel', in: 'query', description: 'Records that came in through this channel.', schema: { type: 'string', enum: [...CHANGE_CHANNELS] } },
      since: {
        name: 'since',
        in: 'query',
        description: 'Records committed at or after this instant (ISO 8601 with a time zone; `+` in an offset is `%2B`).',
        schema: { type: 'string', format: 'date-time' },
      },
      until: {
        name: 'until',
        in: 'query',
        description: 'Records committed before this instant (ISO 8601 with a time zone).',
        schema: { type: 'string', format: 'date-time' },
      },
      force: {
        name: 'force',
        in: 'query',
        description: 'Apply even when stored values would become invalid (they are cleared) or, for DELETE, be deleted. `1` and `0` are taken too.',
        schema: { type: 'boolean', default: false },
      },
      IfMatch: {
        name: 'If-Match',
        in: 'header',
        description: '`*` or a comma-separated list of entity tags as `ETag` gives them. Compared strongly: a weak tag (`W/"..."`) never matches.',
        schema: { type: 'string' },
      },
      IfNoneMatch: {
        name: 'If-None-Match',
        in: 'header',
        description: '`*` or a comma-separated list of entity tags; compared weakly (`W/"x"` names `"x"`).',
        schema: { type: 'string' },
      },
    },
    headers: HEADERS,
    responses: {
      Unauthorized: errorResponse('Missing or bad credentials.', ['Unauthorized'], { 'WWW-Authenticate': header('WWWAuthenticate', true) }),
      RequestTimeout: { description: 'The request took too long (headers 10 s, whole request 30 s): Node answers without a body and closes the connection.' },
      TooManyRequests: errorResponse('Too many failed Basic logins from this address or for this user.', ['TooManyRequests'], { 'Retry-After': header('RetryAfter', true) }),
      ServiceUnavailable: errorResponse('The database is unavailable or busy; retry shortly.', ['ServiceUnavailable'], { 'Retry-After': header('RetryAfter', true) }),
      MethodNotAllowed: errorResponse('A method the path does not take (any path, any method not listed for it).', ['MethodNotAllowed'], {
        Allow: header('Allow', true),
      }),
    },
    schemas: {
      Error: {
        type: 'object',
        description: 'The vendor\'s error body.',
        required: ['error', 'description'],
        additionalProperties: false,
        properties: {
          error: { type: 'string', description: 'A code, e.g. InvalidRecord, NotFound (see each response).' },
          description: { type: 'string', description: 'What went wrong, for a person.' },
          details: { type: 'object', additionalProperties: { type: 'string' }, description: 'InvalidRecord: a message per attribute or entry, e.g. {"custom_fields.0.value": "Value is too long"}.' },
          affected_values: { type: 'integer', minimum: 0, description: 'Conflict over stored values: how many are at stake.' },
        },
      },
      CustomFieldValue: {
        type: 'object',
        required: ['field_id', 'name', 'value'],
        additionalProperties: false,
        properties: {
          field_id: uuidLike,
          name: { type: 'string' },
          value: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'A multiselect field\'s value is a list of its options.' },
        },
      },
      Call: {
        type: 'object',
        required: ['call_id', 'setup_time', 'from_number', 'to_number', 'direction', 'duration', 'custom_fields'],
        additionalProperties: false,
        properties: {
          call_id: uuidLike,
          setup_time: { type: 'string', format: 'date-time' },
          from_number: { type: 'string' },
          to_number: { type: 'string' },
          direction: { type: 'string', enum: [...DIRECTIONS] },
          duration: { type: 'integer', minimum: 0, description: 'Seconds.' },
          custom_fields: { type: 'array', items: ref('CustomFieldValue'), description: 'The fields with a value, ordered by name.' },
        },
      },
      CallBody: { type: 'object', required: ['call'], additionalProperties: false, properties: { call: ref('Call') } },
      CallPage: {
        type: 'object',
        required: ['calls', 'next_url'],
        additionalProperties: false,
        properties: {
          calls: { type: 'array', items: ref('Call') },
          next_url: { type: ['string', 'null'], description: 'The next page (same filters), or null on the last page.' },
          total: { type: 'integer', minimum: 0, description: 'Only on the last page: how many calls match.' },
        },
      },
      Change: {
        type: 'object',
        description: 'One change of one stored custom field value, from the tenant\'s change log.',
        required: [
          'sequence', 'change_set_id', 'call_id', 'field_id', 'field_name', 'kind', 'old_value', 'new_value',
          'call_version', 'actor', 'channel', 'request_id', 'client_address', 'committed_at',
        ],
        additionalProperties: false,
        properties: {
          sequence: { type: 'integer', minimum: 1, description: 'Its place in the tenant\'s log: strictly increasing in commit order, never reused.' },
          change_set_id: { type: 'string', description: 'Shared by the changes one request made to one call.' },
          call_id: uuidLike,
          field_id: uuidLike,
          field_name: { type: 'string', description: 'The field\'s name when the change was made (a later rename does not change it).' },
          kind: {
            type: 'string',
            enum: [...CHANGE_KINDS],
            description: '`set`, `cleared`, `field_deleted` (a forced delete of the field), `invalidated` (the value stayed but no longer fits its tightened field).',
          },
          old_value: { type: ['string', 'null'], description: 'The stored text before; null where the call had no value.' },
          new_value: { type: ['string', 'null'], description: 'The stored text after; null where it was cleared or removed.' },
          call_version: { type: 'integer', minimum: 1, description: 'The call\'s version after the change.' },
          actor: {
            type: 'object',
            required: ['type', 'user_id', 'username', 'token_id'],
            additionalProperties: false,
            properties: {
              type: { type: 'string', enum: ['api_user', 'cli'] },
              user_id: { type: ['string', 'null'], description: 'The API user\'s id; null for the CLI.' },
              username: { type: 'string', description: 'The API user\'s username; `cli` for the CLI.' },
              token_id: { type: ['string', 'null'], description: 'The API token the request used; null for a password login and the CLI.' },
            },
          },
          channel: { type: 'string', enum: [...CHANGE_CHANNELS] },
          request_id: { type: ['string', 'null'], description: 'The request\'s `X-Request-Id`; null for the CLI.' },
          client_address: { type: ['string', 'null'], description: 'The client\'s address; shown to admins only, null for other roles and the CLI.' },
          committed_at: { type: 'string', format: 'date-time' },
        },
      },
      ChangeHistoryPage: {
        type: 'object',
        required: ['history', 'next_url'],
        additionalProperties: false,
        properties: {
          history: { type: 'array', items: ref('Change'), description: 'Newest first.' },
          next_url: { type: ['string', 'null'], description: 'The next (older) page, with `before` and the same `limit` and `field`; null on the last page.' },
        },
      },
      ChangeFeedPage: {
        type: 'object',
        required: ['changes', 'after', 'next_url'],
        additionalProperties: false,
        properties: {
          changes: { type: 'array', items: ref('Change'), description: 'Oldest first.' },
          after: { type: 'integer', minimum: 0, description: 'Where to continue from: the last record\'s sequence, or the `after` asked for when the page is empty.' },
          next_url: { type: ['string', 'null'], description: 'The next page (same limit and filters) while more records exist now; null when caught up.' },
        },
      },
      CustomFieldEntry: {
        type: 'object',
        description: 'One field to set or clear, by `field_id` or `name` (the id wins when both are given).',
        required: ['value'],
        properties: {
          field_id: { type: ['string', 'null'] },
          name: { type: ['string', 'null'] },
          value: {
            description: 'null or "" clears; numbers and booleans are stored as their JSON text; a multiselect field takes a list of its options.',
            oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }, { type: 'array', items: { type: 'string' } }],
          },
        },
      },
      SetCallCustomFieldsBody: {
        type: 'object',
        required: ['call'],
        properties: {
          call: {
            type: 'object',
            required: ['custom_fields'],
            properties: { custom_fields: { type: 'array', maxItems: MAX_ENTRIES, items: ref('CustomFieldEntry') } },
          },
        },
      },
      CustomField: { type: 'object', required: Object.keys(customFieldAttributes), additionalProperties: false, properties: customFieldAttributes },
      CustomFieldBody: { type: 'object', required: ['custom_field'], additionalProperties: false, properties: { custom_field: ref('CustomField') } },
      CustomFieldList: { type: 'object', required: ['custom_fields'], additionalProperties: false, properties: { custom_fields: { type: 'array', items: ref('CustomField') } } },
      UpdatedCustomField: {
        type: 'object',
        required: ['custom_field', 'invalidated_values'],
        additionalProperties: false,
        properties: { custom_field: ref('CustomField'), invalidated_values: { type: 'integer', minimum: 0 } },
      },
      DeletedCustomField: {
        type: 'object',
        required: ['custom_field', 'deleted_values'],
        additionalProperties: false,
        properties: { custom_field: ref('CustomField'), deleted_values: { type: 'integer', minimum: 0 } },
      },
      CreateCustomFieldBody: {
        type: 'object',
        required: ['custom_field'],
        properties: {
          custom_field: { type: 'object', required: ['name', 'type'], additionalProperties: false, properties: customFieldInputAttributes },
        },
      },
      UpdateCustomFieldBody: {
        type: 'object',
        required: ['custom_field'],
        properties: { custom_field: { type: 'object', additionalProperties: false, properties: customFieldInputAttributes } },
      },
      Webhook: {
        type: 'object',
        description: 'A webhook endpoint; its secret is never shown here.',
        required: ['id', 'url', 'enabled', 'fields', 'disabled_reason', 'created_at', 'updated_at'],
        additionalProperties: false,
        properties: {
          id: uuidLike,
          url: { type: 'string', description: 'Where events are POSTed.' },
          enabled: { type: 'boolean' },
          fields: { type: ['array', 'null'], items: uuidLike, description: 'The field ids whose changes it receives; null for every field.' },
          disabled_reason: { type: ['string', 'null'], description: 'Why callgate disabled it (every delivery failed for the retry window); null otherwise.' },
          created_at: { type: 'string', format: 'date-time' },
          updated_at: { type: 'string', format: 'date-time' },
        },
      },
      WebhookBody: { type: 'object', required: ['webhook'], additionalProperties: false, properties: { webhook: ref('Webhook') } },
      WebhookList: { type: 'object', required: ['webhooks'], additionalProperties: false, properties: { webhooks: { type: 'array', items: ref('Webhook') } } },
      CreatedWebhook: {
        type: 'object',
        required: ['webhook', 'secret'],
        additionalProperties: false,
        properties: { webhook: ref('Webhook'), secret: { type: 'string', pattern: '^whsec_', description: 'The Standard Webhooks signing secret. Shown this once.' } },
      },
      RotatedWebhook: {
        type: 'object',
        required: ['webhook', 'secret', 'previous_secret_expires_at'],
        additionalProperties: false,
        properties: {
          webhook: ref('Webhook'),
          secret: { type: 'string', pattern: '^whsec_', description: 'The new signing secret. Shown this once.' },
          previous_secret_expires_at: { type: 'string', format: 'date-time', description: 'Until then deliveries carry signatures with both secrets.' },
        },
      },
      CreateWebhookBody: {
        type: 'object',
        required: ['webhook'],
        properties: { webhook: { type: 'object', required: ['url'], additionalProperties: false, properties: webhookInputAttributes } },
      },
      UpdateWebhookBody: {
        type: 'object',
        required: ['webhook'],
        properties: { webhook: { type: 'object', additionalProperties: false, properties: webhookInputAttributes } },
      },
      WebhookDelivery: {
        type: 'object',
        description: 'One event owed to one endpoint, with every attempt.',
        required: ['id', 'event_id', 'type', 'call_id', 'cursor', 'status', 'next_attempt_at', 'last_error', 'created_at', 'finished_at', 'attempts'],
        additionalProperties: false,
        properties: {
          id: uuidLike,
          event_id: { type: 'string', description: 'The `webhook-id` the receiver sees, the same on every attempt.' },
          type: { type: 'string', enum: ['call.custom_fields.changed', 'webhook.test'] },
          call_id: { type: ['string', 'null'], description: 'null for a test event.' },
          cursor: { type: ['string', 'null'], description: 'The change log sequence of the change set; null for a test event.' },
          status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
          next_attempt_at: { type: ['string', 'null'], format: 'date-time', description: 'When the next try is due; null unless pending.' },
          last_error: { type: ['string', 'null'] },
          created_at: { type: 'string', format: 'date-time' },
          finished_at: { type: ['string', 'null'], format: 'date-time' },
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              required: ['attempt', 'started_at', 'duration_ms', 'status_code', 'error'],
              additionalProperties: false,
              properties: {
                attempt: { type: 'integer', minimum: 1 },
                started_at: { type: 'string', format: 'date-time' },
                duration_ms: { type: 'integer', minimum: 0 },
                status_code: { type: ['integer', 'null'], description: 'null when no answer came (timeout, refused connection).' },
                error: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
      WebhookDeliveryBody: { type: 'object', required: ['delivery'], additionalProperties: false, properties: { delivery: ref('WebhookDelivery') } },
      WebhookDeliveryPage: {
        type: 'object',
        required: ['deliveries', 'next_url'],
        additionalProperties: false,
        properties: {
          deliveries: { type: 'array', items: ref('WebhookDelivery'), description: 'Newest first.' },
          next_url: { type: ['string', 'null'], description: 'The next (older) page with the same `limit`; null on the last page.' },
        },
      },
    },
  },
};

/**
 * `GET`/`HEAD /api/v2/openapi.json`: the description, with an ETag and
 * Cache-Control like every GET; other methods 405. Built once per app.
 */
export function createOpenApiRoute(document: object = openApiDocument) {
  const reply = jsonReply(200, document);
  return (request: RestRequest): Promise<RestReply> =>
    request.method === 'GET' || request.method === 'HEAD'
      ? conditionalGet(request, async () => reply)
      : Promise.resolve(methodNotAllowed(request.method, ['GET', 'HEAD']));
}
