import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exceededLimit, measureOperation, type MeasureMemo } from '../../src/graphql/query-limits.js';
import { schema } from '../../src/graphql/schema.js';
import { frontendDocuments } from '../../examples/frontend/src/documents.js';
import { DEFAULT_LIMITS } from '../../src/http/graphql-server.js';
import { CALL_LIST_PAGE, FRONTEND_OPERATIONS, ROW_FRAGMENTS } from '../support/frontend-operations.js';

const measure = (document: string, variables?: Record<string, unknown>, operationName?: string) =>
  measureOperation(schema, parse(document), operationName, variables);

/** Every field of a call and of its custom fields and their definitions, written inline. */
const INLINE_ROW = `id version setupTime duration direction fromNumber toNumber
  customFields(includeEmpty: true) {
    fieldId name value values valid updatedAt updatedBy
    field { id name type description enabled editable maxLength options previousNames }
  }`;
const PAGE_SELECTION = 'edges { cursor node { ...Row } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount';

/** 15 aliased pages of `first` calls with every field: the abuse the cost limit exists for. */
const abuse = (first: string, declare = '') =>
  `query Abuse${declare} { ${Array.from({ length: 15 }, (_, i) => `p${i}: calls(first: ${first}) { ${PAGE_SELECTION} }`).join('\n')} }\n${ROW_FRAGMENTS}`;

describe('measureOperation: depth', () => {
  it('counts fields, not fragment spreads or inline fragments', () => {
    expect(measure(CALL_LIST_PAGE, { first: 100 })?.depth).toBe(6);
    expect(measure(`{ calls { edges { node { ${INLINE_ROW} } } } }`)?.depth).toBe(6);
    expect(measure(`{ calls { ... on CallConnection { edges { ... { node { ...Row } } } } } }\n${ROW_FRAGMENTS}`)?.depth).toBe(6);
  });

  it('counts a leaf as one level, and a field one deeper than the field it is in', () => {
    expect(measure('{ viewer { username } }')?.depth).toBe(2);
    expect(measure('{ __typename }')?.depth).toBe(1);
  });

  it('takes the deepest branch', () => {
    expect(measure('{ viewer { username } calls { totalCount edges { node { id } } } }')?.depth).toBe(4);
  });

  it('leaves out __schema (introspection), but not __type', () => {
    expect(measure('{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }')).toEqual({ depth: 0, cost: 0 });
    expect(measure('{ __type(name: "Call") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }')?.depth).toBe(12);
  });
});

describe('measureOperation: cost', () => {
  it('costs 1 per field, plus its selection', () => {
    expect(measure('{ viewer { username role } }')?.cost).toBe(3);
    expect(measure(`{ call(id: "x") { ${INLINE_ROW} } }`)?.cost).toBe(26);
  });

  it('is the same whether written with fragments or inline', () => {
    expect(measure(`query($id: ID!) { call(id: $id) { ...Row } }\n${ROW_FRAGMENTS}`, { id: 'x' })?.cost).toBe(26);
  });

  it('multiplies a paginated field\'s selection by first or last, literal or variable', () => {
    const page = `edges { node { id } }`;
    expect(measure(`{ calls(first: 1000) { ${page} } }`)?.cost).toBe(3001);
    expect(measure(`{ calls(last: 7) { ${page} } }`)?.cost).toBe(22);
    expect(measure(`query($n: Int) { calls(first: $n) { ${page} } }`, { n: 1000 })?.cost).toBe(3001);
    expect(measure(`query($n: Int) { calls(last: $n) { ${page} } }`, { n: 7 })?.cost).toBe(22);
  });

  it('takes an absent variable\'s default, else the documented default page size (20)', () => {
    const page = `edges { node { id } }`;
    expect(measure(`query($n: Int = 1000) { calls(first: $n) { ${page} } }`)?.cost).toBe(3001);
    expect(measure(`query($n: Int) { calls(first: $n) { ${page} } }`)?.cost).toBe(61);
    expect(measure(`query($n: Int) { calls(first: $n) { ${page} } }`, { n: null })?.cost).toBe(61);
    expect(measure(`{ calls { ${page} } }`)?.cost).toBe(61);
  });

  it('never counts more than the documented maximum (1000) nor less than 0: the field refuses such sizes', () => {
    expect(measure(`{ calls(first: 5000) { edges { node { id } } } }`)?.cost).toBe(3001);
    expect(measure(`{ calls(first: -5) { edges { node { id } } } }`)?.cost).toBe(1);
    expect(measure(`{ calls(first: 10, last: 30) { edges { node { id } } } }`)?.cost).toBe(91);
  });

  it('counts a list without first or last once', () => {
    expect(measure('{ customFields { id name } }')?.cost).toBe(3);
  });

  it('counts nothing that @skip or @include leave out', () => {
    const document = `query($full: Boolean!) { call(id: "x") { id customFields @include(if: $full) { name } } }`;
    expect(measure(document, { full: false })?.cost).toBe(2);
    expect(measure(document, { full: true })?.cost).toBe(4);
    expect(measure(`{ call(id: "x") { id version @skip(if: true) } }`)?.cost).toBe(2);
  });

  it('counts the admin lists at their default page of 20 when first and last are absent', () => {
    expect(measure('{ apiUsers { edges { node { username } } } }')).toEqual({ depth: 4, cost: 61 });
    expect(measure('{ apiTokens { edges { node { id } } } }')).toEqual({ depth: 4, cost: 61 });
  });

  it('measures the operation the request names', () => {
    const document = `query Small { viewer { username } } query Big { calls(first: 1000) { edges { node { id } } } }`;
    expect(measure(document, {}, 'Small')?.cost).toBe(2);
    expect(measure(document, {}, 'Big')?.cost).toBe(3001);
  });
});

describe('measureOperation: what frontends send, and abuse', () => {
  it('prices each frontend operation well within the default limits', () => {
    const costs = Object.fromEntries(FRONTEND_OPERATIONS.map((op) => [op.name, measure(op.document, op.variables)]));
    expect(Object.values(costs)).toEqual([
      { depth: 6, cost: 3401 },
      { depth: 6, cost: 3701 },
      { depth: 4, cost: 28 },
      { depth: 4, cost: 40 },
      { depth: 4, cost: 3001 },
      { depth: 5, cost: 37 },
    ]);
  });

  it('prices one 1,000-row page with every field at 34,001, and 15 aliased ones at 510,015 (literal or variable)', () => {
    expect(measure(CALL_LIST_PAGE, { first: 1000 })).toEqual({ depth: 6, cost: 34_001 });
    expect(measure(abuse('1000'))).toEqual({ depth: 6, cost: 510_015 });
    expect(measure(abuse('$first', '($first: Int!)'), { first: 1000 })).toEqual({ depth: 6, cost: 510_015 });
    expect(measure(abuse('$first', '($first: Int = 1000)'))).toEqual({ depth: 6, cost: 510_015 });
  });
});

describe('the example frontend (examples/frontend) within the default limits', () => {
  /** Every Int variable (page sizes) at 100, the largest page the example's screens ask for; the rest need no value to be measured. */
  const pageVariables = (text: string) =>
    Object.fromEntries(
      [...text.matchAll(/\$(\w+)\s*:\s*Int\b/g)].map(([, name]) => [name, 100]),
    );

  it.each(frontendDocuments.map((d) => [`${d.compiler} ${d.operationName}`, d] as const))('%s passes', (_name, d) => {
    const measured = measure(d.text, pageVariables(d.text), d.operationName);
    expect(measured).not.toBeNull();
    expect(exceededLimit(measured!, DEFAULT_LIMITS)).toBeNull();
  });
});

describe('measureOperation: documents that cannot execute, and hostile ones', () => {
  it('is null when the variables do not fit the operation, or no operation is chosen', () => {
    expect(measure('query($n: Int!) { calls(first: $n) { totalCount } }', {})).toBeNull();
    expect(measure('query($n: Int!) { calls(first: $n) { totalCount } }', { n: 'many' })).toBeNull();
    expect(measure('query A { viewer { username } } query B { viewer { role } }')).toBeNull();
    expect(measure('query A { viewer { username } }', {}, 'C')).toBeNull();
  });

  it('reads only the variables it needs: unfit ones elsewhere are execution\'s to refuse', () => {
    expect(measure('query($n: Int!, $id: ID!) { viewer { username } call(id: $id) { id } }', {})).toEqual({ depth: 2, cost: 4 });
  });

  it('terminates on fragments that spread each other (which validation refuses)', () => {
    const cyclic = `{ viewer { ...A } } fragment A on Viewer { username ...B } fragment B on Viewer { role ...A }`;
    expect(measure(cyclic)).toEqual({ depth: 2, cost: 3 });
  });

  const fanOut = (levels: number) =>
    `{ viewer { ...F0 } }\n` +
    Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on Viewer { username }` : `fragment F${i} on Viewer { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');

  it('measures each fragment once, so a fan-out of spreads stays fast', () => {
    const started = performance.now();
    const result = measure(fanOut(40));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toEqual({ depth: 2, cost: 1 + 2 ** 39 });
  });

  it('saturates instead of growing past exact numbers', () => {
    expect(measure(fanOut(200))).toEqual({ depth: 2, cost: Number.MAX_SAFE_INTEGER });
  });
});

describe('measureOperation with a memo', () => {
  it('keeps the measure of an operation that reads no variable, per operation name', () => {
    const memo: MeasureMemo = new WeakMap();
    const document = parse(`query A($id: ID!) { call(id: $id) { ...Row } } query B { calls(first: 1000) { totalCount } }\n${ROW_FRAGMENTS}`);
    const first = measureOperation(schema, document, 'A', { id: 'x' }, memo);
    expect(first).toEqual({ depth: 4, cost: 26 });
    expect(measureOperation(schema, document, 'A', { id: 'y' }, memo)).toBe(first);
    expect(measureOperation(schema, document, 'B', {}, memo)).toEqual({ depth: 2, cost: 1001 });
    expect(memo.get(document)?.size).toBe(2);
  });

  it('measures again whatever a variable decides: a page size, @skip or @include', () => {
    const memo: MeasureMemo = new WeakMap();
    const pages = parse('query($n: Int) { calls(first: $n) { totalCount } }');
    expect(measureOperation(schema, pages, undefined, { n: 1000 }, memo)?.cost).toBe(1001);
    expect(measureOperation(schema, pages, undefined, { n: 10 }, memo)?.cost).toBe(11);
    const optional = parse('query($more: Boolean!) { viewer { username role @include(if: $more) } }');
    expect(measureOperation(schema, optional, undefined, { more: false }, memo)?.cost).toBe(2);
    expect(measureOperation(schema, optional, undefined, { more: true }, memo)?.cost).toBe(3);
    expect(memo.has(pages) || memo.has(optional)).toBe(false);
  });
});

describe('exceededLimit', () => {
  const limits = { maxDepth: 10, maxCost: 40000 };

  it('names the limit and what was found, depth first', () => {
    expect(exceededLimit({ depth: 12, cost: 510_015 }, limits)).toBe('Query depth limit of 10 exceeded, found 12.');
    expect(exceededLimit({ depth: 6, cost: 510_015 }, limits)).toBe('Query Cost limit of 40000 exceeded, found 510015.');
  });

  it('lets through what is at the limit', () => {
    expect(exceededLimit({ depth: 10, cost: 40000 }, limits)).toBeNull();
  });
});
