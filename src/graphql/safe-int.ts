import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

const RANGE = 'SafeInt must be a whole number from -(2^53-1) to 2^53-1';

function parse(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GraphQLError(RANGE);
  return value;
}

builder.scalarType('SafeInt', {
  description:
    'A whole number from -(2^53-1) to 2^53-1, written as a plain JSON number: every value is exact in a ' +
    'JavaScript number and in a 64-bit integer, unlike Int, which stops at 2^31-1. A call\'s version is one: it ' +
    'starts at 1 and grows by one per change, so it cannot pass 2^53-1.',
  // The range is ECMAScript's safe integers (Number.MAX_SAFE_INTEGER), as JSON parsers read numbers.
  specifiedByURL: 'https://tc39.es/ecma262/#sec-number.max_safe_integer',
  // A value out of range here is the server's fault: a plain Error, masked for the client and logged with its stack.
  serialize: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`SafeInt cannot serialize ${String(value)}`);
    return value;
  },
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw new GraphQLError(RANGE);
    return parse(Number(ast.value));
  },
});
