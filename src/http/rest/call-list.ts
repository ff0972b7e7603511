import type { ExecutionResult } from 'graphql';
import { encodeCursor, MAX_PAGE_SIZE } from '../../core/call-list.js';
import { isCalendarDay } from '../../core/custom-field.js';
import type { Viewer } from '../../core/viewer.js';
import { jsonReply, restError, type RestReply } from '../reply.js';
import type { RestRequest } from '../request-body.js';
import { toRestCallObject } from './calls.js';
import { COUNT_CALLS, LIST_CALLS } from './documents.js';
import { expectedErrorOf, failedOperation, type OperationRunner } from './operation.js';

export const CALL_LIST_ROUTE = '/api/v2/calls.json';

export const DEFAULT_LIMIT = 20;

export interface CallListParams {
  limit: number;
  start: number;
  /** Whole UTC days, both included, and the parameter as given (for next_url). */
  daterange: { from: string; to: string; text: string } | null;
  searchTerm: string | null;
  sortOrder: 'asc' | 'desc' | null;
}

const KNOWN = ['limit', 'start', 'daterange', 'search_term', 'sort_order'] as const;
const DATERANGE = /^(\d{4})\/(\d{2})\/(\d{2})-(\d{4})\/(\d{2})\/(\d{2})$/;
const WHOLE_NUMBER = /^\d{1,15}$/;

/**
 * The known parameters of a query string, percent-decoded; a `+` stays a plus
 * sign. Unknown parameters are ignored; a known one given twice is an error.
 */
export function readKnownParams(search: string, known: readonly string[]): { ok: true; given: Map<string, string> } | { ok: false; description: string } {
  const given = new Map<string, string>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      return { ok: false, description: `The query string is not valid percent-encoding: ${pair}` };
    }
    if (!known.includes(key)) continue;
    if (given.has(key)) return { ok: false, description: `${key} is given more than once` };
    given.set(key, value);
  }
  return { ok: true, given };
}

/**
 * Reads the vendor's list parameters from a query string (readKnownParams), so
 * `search_term=+4930` searches "+4930". A bad value is an error that says
 * what is accepted.
 */
export function readCallListParams(search: string): { ok: true; params: CallListParams } | { ok: false; description: string } {
  const read = readKnownParams(search, KNOWN);
  if (!read.ok) return read;
  const { given } = read;

  const params: CallListParams = { limit: DEFAULT_LIMIT, start: 0, daterange: null, searchTerm: null, sortOrder: null };
  const limit = given.get('limit');
  if (limit !== undefined) {
    if (!WHOLE_NUMBER.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE_SIZE) {
      return { ok: false, description: `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got "${limit}"` };
    }
    params.limit = Number(limit);
  }
  const start = given.get('start');
  if (start !== undefined) {
    if (!WHOLE_NUMBER.test(start)) return { ok: false, description: `start must be a whole number of 0 or more, got "${start}"` };
    params.start = Number(start);
  }
  const daterange = given.get('daterange');
  if (daterange !== undefined) {
    const m = DATERANGE.exec(daterange);
    const day = (i: number) => [Number(m![i]), Number(m![i + 1]), Number(m![i + 2])] as const;
    const valid = m && isCalendarDay(...day(1)) && isCalendarDay(...day(4));
    const from = m && `${m[1]}-${m[2]}-${m[3]}`;
    const to = m && `${m[4]}-${m[5]}-${m[6]}`;
    if (!valid || from! > to!) {
      return {
        ok: false,
        description: `daterange must be YYYY/MM/DD-YYYY/MM/DD with the first day not after the second (UTC days, both included), got "${daterange}"`,
      };
    }
    params.daterange = { from: `${from}T00:00:00.000Z`, to: `${to}T23:59:59.999Z`, text: daterange };
  }
  const searchTerm = given.get('search_term');
  if (searchTerm !== undefined && searchTerm !== '') params.searchTerm = searchTerm;
  const sortOrder = given.get('sort_order');
  if (sortOrder !== undefined) {
    if (sortOrder !== 'asc' && sortOrder !== 'desc') return { ok: false, description: `sort_order must be asc or desc, got "${sortOrder}"` };
    params.sortOrder = sortOrder;
  }
  return { ok: true, params };
}

const queryValue = (value: string) => encodeURIComponent(value).replace(/%2F/gi, '/');

/** The list URL for the page starting at `start`, keeping the other parameters. */
export function pageUrl(params: CallListParams, start: number): string {
  const parts = [`start=${start}`, `limit=${params.limit}`];
  if (params.daterange) parts.push(`daterange=${queryValue(params.daterange.text)}`);
  if (params.searchTerm !== null) parts.push(`search_term=${queryValue(params.searchTerm)}`);
  if (params.sortOrder !== null) parts.push(`sort_order=${params.sortOrder}`);
  return `${CALL_LIST_ROUTE}?${parts.join('&')}`;
}

/** 400 for a bad argument the GraphQL layer caught, 403 for a missing permission, 500 for anything else. */
export function queryFailure(result: ExecutionResult): RestReply {
  const expected = expectedErrorOf(result);
  if (expected?.code === 'BAD_USER_INPUT') return restError(400, 'InvalidParameter', expected.message);
  if (expected?.code === 'FORBIDDEN') return restError(403, 'Forbidden', expected.message);
  return failedOperation(result);
}

/**
 * `GET /api/v2/calls.json`, paged as the vendor pages it: `limit` (default 20,
 * at most 1000) calls from offset `start`, newest first unless
 * `sort_order=asc`, optionally within `daterange` and with a number starting
 * with `search_term`. `next_url` is the next page, or null on the last page,
 * which alone carries `total`.
 */
export function createRestCallListRoute(operations: OperationRunner) {
  const listCalls = operations.prepare(LIST_CALLS);
  const countCalls = operations.prepare(COUNT_CALLS);

  async function get(request: RestRequest, viewer: Viewer, url: URL): Promise<RestReply> {
    const read = readCallListParams(url.search);
    if (!read.ok) return restError(400, 'InvalidParameter', read.description);
    const { params } = read;
    const filter = {
      setupTimeFrom: params.daterange?.from ?? null,
      setupTimeTo: params.daterange?.to ?? null,
      number: params.searchTerm,
    };
    const result = await operations.run(request, viewer, listCalls, {
      first: params.limit,
      after: params.start > 0 ? encodeCursor({ kind: 'offset', offset: params.start }) : null,
      filter,
      orderBy: { field: 'SETUP_TIME', direction: params.sortOrder === 'asc' ? 'ASC' : 'DESC' },
    });
    const page = result.data?.calls;
    if (result.errors?.length || !page) return queryFailure(result);

    const calls = page.edges.map((edge) => toRestCallObject(edge.node));
    if (page.pageInfo.hasNextPage) return jsonReply(200, { calls, next_url: pageUrl(params, params.start + params.limit) });
    let total = params.start + calls.length;
    if (calls.length === 0 && params.start > 0) {
      // Past the end: count instead of trusting the offset.
      const counted = await operations.run(request, viewer, countCalls, { filter });
      const count = counted.data?.calls?.totalCount;
      if (counted.errors?.length || count === undefined) return queryFailure(counted);
      total = count;
    }
    return jsonReply(200, { calls, next_url: null, total });
  }

  return { get };
}
