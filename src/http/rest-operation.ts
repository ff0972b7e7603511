import { parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import type { Viewer } from '../core/viewer.js';
import { compileRestDocument } from './compiled-execution.js';
import { SERVICE_UNAVAILABLE, serviceUnavailable, unexpected, type RestReply, type RestRequest } from './rest-response.js';

export type Yoga = YogaServerInstance<object, object>;

/**
 * Parses and validates a REST route's fixed GraphQL document once, at
 * start-up (a bad document stops start-up); with `compile`, also compiles it
 * with graphql-jit (see compiled-execution.ts).
 */
export function prepareOperation(document: string, yoga: Yoga, options: { compile?: boolean } = {}): DocumentNode {
  const parsed = parse(document);
  const { schema } = yoga.getEnveloped();
  const errors = validate(schema, parsed);
  if (errors.length > 0) throw new Error(`REST shim document is invalid: ${errors.map((e) => e.message).join('; ')}`);
  if (options.compile) compileRestDocument(schema, parsed);
  return parsed;
}

/**
 * Runs REST routes' fixed GraphQL documents through the yoga instance's
 * envelop pipeline (context, masking, execution), never through yoga's HTTP
 * adapter: one path for auth, validation, masking and logging. The router
 * has already authenticated the request and hands its viewer to the context.
 */
export function createOperationRunner(yoga: Yoga) {
  async function execute(request: RestRequest, viewer: Viewer, document: DocumentNode, variableValues: Record<string, unknown>) {
    const enveloped = yoga.getEnveloped({ request, viewer });
    const contextValue = await enveloped.contextFactory();
    return (await enveloped.execute({ schema: enveloped.schema, document, variableValues, contextValue })) as ExecutionResult;
  }
  return { execute };
}

/** The code of the first error of a result that a resolver raised on purpose (BAD_USER_INPUT, FORBIDDEN), if any. */
export function expectedErrorOf(result: ExecutionResult): { code: string; message: string } | null {
  const error = result.errors?.find((e) => typeof e.extensions?.code === 'string');
  return error ? { code: error.extensions.code as string, message: error.message } : null;
}

/** 503 (with Retry-After) when the operation failed because the database cannot serve it now, else the generic 500. */
export function failedOperation(result: ExecutionResult): RestReply {
  return result.errors?.some((e) => e.extensions?.code === SERVICE_UNAVAILABLE) ? serviceUnavailable() : unexpected();
}
