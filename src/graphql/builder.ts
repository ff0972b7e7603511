import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import type { GraphQLContext } from './context.js';
import { RESOLVED_ERRORS_PLUGIN } from './resolved-errors.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  Scalars: { DateTime: { Input: string; Output: string }; SafeInt: { Input: number; Output: number } };
}>({
  // resolvedErrors after errors: it wraps each resolver inside the errors plugin's wrapper.
  plugins: [ErrorsPlugin, RESOLVED_ERRORS_PLUGIN],
  defaultFieldNullability: false,
  errors: { defaultTypes: [] },
});

builder.queryType({ description: 'Reads of the viewer\'s tenant: calls, custom fields, API users and tokens, and the viewer itself.' });
builder.mutationType({
  description: 'Writes to the viewer\'s tenant. Each returns a result union: the success type, or an expected failure implementing `Error`.',
});
builder.subscriptionType({
  description: 'Live updates of the viewer\'s tenant, over GraphQL over SSE on /graphql (`Accept: text/event-stream`).',
});
