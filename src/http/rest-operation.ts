import { parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin, YogaServerInstance } from 'graphql-yoga';
import type { Viewer } from './auth.js';
import { SERVICE_UNAVAILABLE, serviceUnavailable, unexpected, type RestReply, type RestRequest } from './rest-response.js';

export type Yoga = YogaServerInstance<object, object>;

/** The hot REST routes' documents, compiled once into specialised executors (graphql-jit). */
const compiledDocuments = new WeakMap<DocumentNode, CompiledQuery>();

/**
 * Runs a compiled REST document with its compiled executor, inside the
 * envelop pipeline (context, masking and the other plugins' hooks are
 * unchanged). Only documents the shim prepared with `compile` qualify: their
 * variables are built by the shim from checked input and their results are
 * read by field name, so graphql-jit's differences from graphql-js (input
 * coercion messages, key order) cannot show; /graphql never runs through it.
 */
export const useCompiledRestDocuments: Plugin = {
  onExecute({ args, setExecuteFn }) {
    const compiled = compiledDocuments.get(args.document);
    if (compiled) setExecuteFn((a) => compiled.query(a.rootValue, a.contextValue, a.variableValues ?? {}));
  },
};

/**
 * Parses and validates a REST route's fixed GraphQL document once, at
 * start-up (a bad document stops start-up); with `compile`, also compiles it
 * for useCompiledRestDocuments.
 */
export function prepareOperation(document: string, yoga: Yoga, options: { compile?: boolean } = {}): DocumentNode {
  const parsed = parse(document);
  const { schema } = yoga.getEnveloped();
  const errors = validate(schema, parsed);
  if (errors.length > 0) throw new Error(`REST shim document is invalid: ${errors.map((e) => e.message).join('; ')}`);
  if (options.compile) {
    const compiled = compileQuery(schema, parsed);
    if (!isCompiledQuery(compiled)) throw new Error(`REST shim document does not compile: ${compiled.errors?.map((e) => e.message).join('; ')}`);
    compiledDocuments.set(parsed, compiled);
  }
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
