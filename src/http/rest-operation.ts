import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { unauthorized } from './rest-response.js';

/** Parses and validates a REST route's GraphQL document once, at start-up: a broken document stops the server from starting. */
export function prepareDocument(document: string, yoga: YogaServerInstance<object, object>): DocumentNode {
  const parsed = parse(document);
  const errors = validate(yoga.getEnveloped().schema, parsed);
  if (errors.length > 0) throw new Error(`REST shim document is invalid: ${errors.map((e) => e.message).join('; ')}`);
  return parsed;
}

export interface OperationSession {
  enveloped: ReturnType<YogaServerInstance<object, object>['getEnveloped']>;
  contextValue: unknown;
}

/**
 * Runs fixed GraphQL documents for the REST shim through the yoga instance's
 * envelop pipeline (context and auth, masking, execution), never through
 * yoga's HTTP adapter.
 */
export function createOperationRunner(yoga: YogaServerInstance<object, object>) {
  /** Builds the request's GraphQL context, which authenticates; a 401 response when that fails. */
  async function open(request: Request): Promise<OperationSession | Response> {
    const enveloped = yoga.getEnveloped({ request });
    try {
      return { enveloped, contextValue: await enveloped.contextFactory() };
    } catch (error) {
      if (error instanceof GraphQLError && (error.extensions.http as { status?: number } | undefined)?.status === 401) return unauthorized();
      throw error;
    }
  }

  async function execute(session: OperationSession, document: DocumentNode, variableValues: Record<string, unknown>): Promise<ExecutionResult> {
    const { enveloped, contextValue } = session;
    return (await enveloped.execute({ schema: enveloped.schema, document, variableValues, contextValue })) as ExecutionResult;
  }

  return { open, execute };
}
