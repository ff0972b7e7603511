import { describe, expect, it } from 'vitest';
import { entityTagOf, namesCurrent, parseEntityTags } from '../../src/http/entity-tags.js';

describe('parseEntityTags (RFC 9110 If-Match / If-None-Match)', () => {
  it.each([
    ['*', { any: true }],
    [' * ', { any: true }],
    ['"1"', { any: false, tags: [{ weak: false, opaque: '"1"' }] }],
    ['W/"1"', { any: false, tags: [{ weak: true, opaque: '"1"' }] }],
    ['""', { any: false, tags: [{ weak: false, opaque: '""' }] }],
    ['"00000000000001"', { any: false, tags: [{ weak: false, opaque: '"00000000000001"' }] }],
    [`"${'9'.repeat(40)}"`, { any: false, tags: [{ weak: false, opaque: `"${'9'.repeat(40)}"` }] }],
    ['"a", W/"b",\t"c"', { any: false, tags: [{ weak: false, opaque: '"a"' }, { weak: true, opaque: '"b"' }, { weak: false, opaque: '"c"' }] }],
    [', "a",, "b" ,', { any: false, tags: [{ weak: false, opaque: '"a"' }, { weak: false, opaque: '"b"' }] }],
    ['"!#$%&\'()*+-./:;<=>?@[]^_`{|}~"', { any: false, tags: [{ weak: false, opaque: '"!#$%&\'()*+-./:;<=>?@[]^_`{|}~"' }] }],
  ])('reads %j', (header, expected) => {
    expect(parseEntityTags(header)).toEqual(expected);
  });

  it.each(['', ' ', ',', '1', '2147483648', '"1', '1"', '"a"b"', '"a b"', '"1" "2"', 'w/"1"', 'W/ "1"', 'W/1', '*, "1"', '"1", *', '**', "'1'", '"é"x'])(
    'refuses %j',
    (header) => {
      expect(parseEntityTags(header)).toBeNull();
    },
  );
});

describe('namesCurrent', () => {
  const current = '"abc"';
  it.each([
    ['"abc"', 'strong', true],
    ['W/"abc"', 'strong', false],
    ['W/"abc"', 'weak', true],
    ['"x", "abc"', 'strong', true],
    ['"ABC"', 'weak', false],
    ['*', 'strong', true],
    ['"x"', 'weak', false],
  ] as const)('%s with %s comparison: %s', (header, comparison, expected) => {
    expect(namesCurrent(parseEntityTags(header)!, current, comparison)).toBe(expected);
  });
});

describe('entityTagOf', () => {
  it('is a strong tag that follows the bytes and the revision', () => {
    expect(entityTagOf('{"a":1}')).toMatch(/^"[\w-]{22}"$/);
    expect(entityTagOf('{"a":1}')).toBe(entityTagOf('{"a":1}'));
    expect(entityTagOf('{"a":1}')).not.toBe(entityTagOf('{"a":2}'));
    expect(entityTagOf('{"a":1}', 1)).not.toBe(entityTagOf('{"a":1}', 2));
    expect(entityTagOf('{"a":1}', 1)).not.toBe(entityTagOf('{"a":1}'));
  });
});
