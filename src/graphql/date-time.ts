import { GraphQLError, Kind } from 'graphql';
import { normalizeTimestamp } from '../core/call.js';
import { builder } from './builder.js';

function parse(value: unknown): string {
  const normalized = typeof value === 'string' ? normalizeTimestamp(value) : null;
  if (!normalized) throw new GraphQLError('DateTime must be an ISO 8601 timestamp with a time zone');
  return normalized;
}

builder.scalarType('DateTime', {
  description:
    'A point in time: an RFC 3339 (ISO 8601) timestamp. Answers are in UTC with milliseconds, e.g. "2023-09-12T08:30:00.000Z"; ' +
    'inputs take any offset (e.g. "2023-09-12T10:30:00+02:00").',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc3339',
  serialize: (value) => value,
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : null),
});
