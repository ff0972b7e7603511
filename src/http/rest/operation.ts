import { GraphQLError, validate, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { TadaDocumentNode } from 'gql.tada';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Viewer } from '../../core/viewer.js';
import { SERVICE_UNAVAILABLE, serviceUnavailable, unexpected, type RestReply } from '../reply.js';
import type { RestRequest } from '../request-body.js';

export type Yoga = YogaServerInstance<object, object>;

/** Compiles a fixed document once (graphql-jit), when the app compiles them; see compiled-execution.ts. */
export type CompileFixedDocument = (schema: GraphQLSchema, document: TadaDocumentNode<unknown, never>) => void;

/**
 * Runs the REST routes' fixed GraphQL documents through the yoga instance's
 * envelop pipeline (context, masking, execution), never through yoga's HTTP
 * adapter: one path for auth, validation, masking and logging. The router has
 * already authenticated the request and hands its viewer to the context.
 * Each document is validated once, at start-up (a bad one stops start-up).
 */
export function createOperationRunner(yoga: Yoga, compile: CompileFixedDocument | null) {
  const { schema } = yoga.getEnveloped();

  /** Validates a document once; with `compile`, a hot route's, also compiles it (its variables are built from checked input). */
  function prepare<D extends TadaDocumentNode<unknown, never>>(document: D, options: { compile?: boolean } = {}): D {
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`REST shim document is invalid: ${errors.map((e) => e.message).join('; ')}`);
    if (options.compile) compile?.(schema, document);
    return document;
  }

  async function run<Result, Variables>(
    request: RestRequest,
    viewer: Viewer,
    document: TadaDocumentNode<Result, Variables>,
    variableValues: Variables,
  ): Promise<ExecutionResult<Result>> {
    // requestId: a resolver's unexpected error is logged with it (graphql-server.ts, observeExecution).
    // restOrigin: the change log records REST writes as such, with this request's id and client.
    const restOrigin = { channel: 'rest', requestId: request.id, clientAddress: request.clientAddress } as const;
    const enveloped = yoga.getEnveloped({ request, viewer, requestId: request.id, restOrigin, store: request.reads });
    const contextValue = await enveloped.contextFactory();
    // The document was validated against this schema at start-up, so the result has its type.
    return (await enveloped.execute({ schema: enveloped.schema, document, variableValues: variableValues as Record<string, unknown>, contextValue })) as ExecutionResult<Result>;
  }

  return { prepare, run };
}

export type OperationRunner = ReturnType<typeof createOperationRunner>;

/** The code of the first error of a result that a resolver raised on purpose (BAD_USER_INPUT, FORBIDDEN), if any. */
export function expectedErrorOf(result: ExecutionResult): { code: string; message: string } | null {
  const error = result.errors?.find((e) => typeof e.extensions?.code === 'string');
  return error ? { code: error.extensions.code as string, message: error.message } : null;
}

/** A REST document's result with errors no resolver raised on purpose, e.g. a variable its type refused. */
export class UnexpectedResultError extends Error {
  constructor(errors: readonly GraphQLError[]) {
    super(`REST operation failed: ${errors.map((e) => e.message).join('; ')}`, { cause: errors[0] });
    this.name = 'UnexpectedResultError';
  }
}

/**
 * 503 (with Retry-After) when the operation failed because the database
 * cannot serve it now, else the generic 500. Each unexpected error is logged
 * once, with its stack and the request id: a resolver's was, as it happened
 * (yoga then masks it: `extensions.unexpected`); any other is thrown here
 * for the REST router to log.
 */
export function failedOperation(result: ExecutionResult): RestReply {
  const errors = result.errors ?? [];
  if (errors.some((e) => e.extensions?.code === SERVICE_UNAVAILABLE)) return serviceUnavailable();
  const unlogged = errors.filter((e) => e.extensions?.unexpected !== true);
  if (unlogged.length > 0 || errors.length === 0) throw new UnexpectedResultError(unlogged.length > 0 ? unlogged : [new GraphQLError('no data and no errors')]);
  return unexpected();
}
