import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';

/** What a request's context offers this plugin: where to report an expected failure (the app's metrics). */
interface ReportsResolvedErrors {
  onResolvedError(error: Error): void;
}

type ErrorClass = new (...args: never[]) => Error;

const report = (context: ReportsResolvedErrors, types: readonly ErrorClass[], error: unknown) => {
  if (error instanceof Error && types.some((type) => error instanceof type)) context.onResolvedError(error);
};

/**
 * Reports each expected failure a field returns as a result-union member to
 * the request's context. The errors plugin turns the thrown error into the
 * union's error member; this plugin wraps inside it (registered after it), so
 * it sees the error first, with the request's context: each app counts the
 * failures of its own requests, and nothing is kept per process.
 */
export class ResolvedErrorsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const types = fieldConfig.extensions?.pothosErrors as readonly ErrorClass[] | undefined;
    if (!types?.length) return resolver;
    return async (parent, args, context, info) => {
      try {
        return await resolver(parent, args, context, info);
      } catch (error) {
        report(context as ReportsResolvedErrors, types, error);
        throw error;
      }
    };
  }
}

export const RESOLVED_ERRORS_PLUGIN = 'resolvedErrors';

SchemaBuilder.registerPlugin(RESOLVED_ERRORS_PLUGIN, ResolvedErrorsPlugin);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      resolvedErrors: ResolvedErrorsPlugin<Types>;
    }
  }
}
