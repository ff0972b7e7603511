import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { unauthorized } from './rest-response.js';

export type Yoga = YogaServerInstance<object, object>;

/** Parses and validates a REST route's fixed GraphQL document once, at start-up; a bad document stops start-up. */
export function prepareOperation(document: string, yoga: Yoga): DocumentNode {
  const parsed = parse(document);
  const errors = validate(yoga.getEnveloped().schema, parsed);
  if (errors.length > 0) throw new Error(`REST shim document is invalid: ${errors.map((e) => e.message).join('; ')}`);
  return parsed;
}

/**
 * Runs REST routes' fixed GraphQL documents through the yoga instance's
 * envelop pipeline (context and auth, masking, execution), never through
 * yoga's HTTP adapter: one path for auth, validation, masking and logging.
 */
export function createOperationRunner(yoga: Yoga) {
  /** Builds the request's GraphQL context, which authenticates; a 401 response when that fails. */
  async function open(request: Request) {
    const enveloped = yoga.getEnveloped({ request });
    try {
      return { enveloped, contextValue: await enveloped.contextFactory() };
    } catch (error) {
      if (error instanceof GraphQLError && (error.extensions.http as { status?: number } | undefined)?.status === 401) return unauthorized();
      throw error;
    }
  }

  async function execute(session: Session, document: DocumentNode, variableValues: Record<string, unknown>) {
    const { enveloped, contextValue } = session;
    return (await enveloped.execute({ schema: enveloped.schema, document, variableValues, contextValue })) as ExecutionResult;
  }

  return { open, execute };
}

export type OperationRunner = ReturnType<typeof createOperationRunner>;
export type Session = Exclude<Awaited<ReturnType<OperationRunner['open']>>, Response>;

/** The code of the first error of a result that a resolver raised on purpose (BAD_USER_INPUT, FORBIDDEN), if any. */
export function expectedErrorOf(result: ExecutionResult): { code: string; message: string } | null {
  const error = result.errors?.find((e) => typeof e.extensions?.code === 'string');
  return error ? { code: error.extensions.code as string, message: error.message } : null;
}
