import { GraphQLError, Kind } from 'graphql';
import { normalizeTimestamp } from '../core/call.js';
import { builder } from './builder.js';

function parse(value: unknown): string {
  const normalized = typeof value === 'string' ? normalizeTimestamp(value) : null;
  if (!normalized) throw new GraphQLError('DateTime must be an ISO 8601 timestamp with a time zone');
  return normalized;
}

builder.scalarType('DateTime', {
  description: 'An ISO 8601 timestamp in UTC, e.g. "2023-09-12T08:30:00.000Z".',
  serialize: (value) => value,
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : null),
});
