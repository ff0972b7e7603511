import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type Source,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

export interface CompiledExecutionOptions {
  /** How many times a /graphql document runs with graphql-js before it is compiled: one sent once is never compiled. */
  hotAfter: number;
  /** At most this many /graphql operations are kept compiled; the least recently run is dropped first. */
  maxOperations: number;
  /**
   * At most this many compilations a second, and in a burst. A compilation
   * costs 1-2 ms, ten requests' worth: a client cycling through new documents
   * must not make callgate spend its time compiling. A hot document that
   * finds the budget spent runs with graphql-js and is compiled on a later run.
   */
  compilationsPerSecond?: number;
  /** The clock of the compilation budget, in milliseconds; tests set it. */
  now?: () => number;
}

export const DEFAULT_COMPILED_EXECUTION: CompiledExecutionOptions = { hotAfter: 2, maxOperations: 200, compilationsPerSecond: 20 };

type Execute = (args: ExecutionArgs) => unknown;

const LINE_BREAK = /\r\n|[\n\r]/g;

/** The offset in `body` of a 1-based line and column, the inverse of graphql-js's getLocation. */
function positionOf(body: string, { line, column }: SourceLocation): number {
  let lineStart = 0;
  LINE_BREAK.lastIndex = 0;
  for (let at = 1; at < line; at++) {
    const match = LINE_BREAK.exec(body);
    if (!match) break;
    lineStart = match.index + match[0].length;
  }
  return lineStart + column - 1;
}

/**
 * graphql-jit's error objects as graphql-js makes them: yoga rebuilds every
 * error from its source and positions (or nodes), which graphql-jit's do not
 * carry, so without this they would lose their `locations`.
 */
function asGraphqlJsError(error: GraphQLError, source: Source | undefined): GraphQLError {
  // graphql-js's errors (a resolver's own, already located) have their nodes; graphql-jit's have none
  if (Object.hasOwn(error, 'nodes')) return error;
  const { message, path, originalError, extensions, locations } = error;
  const positions = source && locations?.map((location) => positionOf(source.body, location));
  return new GraphQLError(message, { source, positions, path, originalError: originalError ?? undefined, extensions });
}

/** A graphql-jit result in graphql-js's shape: `errors` before `data`, and only when there are some. */
const asGraphqlJsResult = ({ errors, data }: ExecutionResult, source: Source | undefined): ExecutionResult =>
  errors?.length ? { errors: errors.map((error) => asGraphqlJsError(error, source)), data } : { data };

/**
 * A REST route's fixed document, compiled. Its variables are built by the
 * shim from checked input, so it runs compiled without graphql-js coercing
 * them first. A document graphql-jit cannot compile stops start-up.
 */
function compileFixedDocument(schema: GraphQLSchema, document: DocumentNode): CompiledQuery {
  const compiled = compileQuery(schema, document);
  if (!isCompiledQuery(compiled)) throw new Error(`REST shim document does not compile: ${compiled.errors?.map((e) => e.message).join('; ')}`);
  return compiled;
}

/** Takes one compilation from a budget that refills at `rate` a second up to `rate`; false when it is spent. */
function compilationBudget(rate: number, now: () => number): () => boolean {
  let budget = rate;
  let budgetAt = now();
  return () => {
    const at = now();
    budget = Math.min(rate, budget + ((at - budgetAt) / 1000) * rate);
    budgetAt = at;
    if (budget < 1) return false;
    budget -= 1;
    return true;
  };
}

/**
 * Executes the operations that run often with graphql-jit (a function
 * compiled per operation) instead of graphql-js's generic executor, inside
 * the envelop pipeline (context, masking, logging unchanged). What a client
 * sees stays graphql-js's: variables are coerced by graphql-js first, so bad
 * variables get its errors (and HTTP 400) from its own executor; an operation
 * graphql-jit cannot compile, a subscription, and a result graphql-jit
 * refuses (no `data`) are executed by graphql-js. Parsed documents come from
 * yoga's parser cache, so a hot query is one DocumentNode.
 */
export function createCompiledExecution(options: CompiledExecutionOptions) {
  /** The REST routes' fixed documents, compiled at start-up (see compileFixed). */
  const fixed = new WeakMap<DocumentNode, CompiledQuery>();
  const runs = new WeakMap<DocumentNode, number>();
  /** Compiled operations by document, then operation name; null when graphql-jit could not compile it. Least recently run first. */
  const compiled = new Map<DocumentNode, Map<string, CompiledQuery | null>>();
  let operations = 0;
  const stats = { compilations: 0, compiledExecutions: 0, postponedCompilations: 0 };
  const mayCompile = compilationBudget(options.compilationsPerSecond ?? Infinity, options.now ?? performance.now.bind(performance));

  function compiledOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null {
    const key = operationName ?? '';
    const byName = compiled.get(document);
    if (byName?.has(key)) {
      compiled.delete(document);
      compiled.set(document, byName);
      return byName.get(key)!;
    }
    const seen = (runs.get(document) ?? 0) + 1;
    runs.set(document, seen);
    if (seen <= options.hotAfter) return null;
    if (!mayCompile()) {
      stats.postponedCompilations += 1;
      return null;
    }
    const result = compileQuery(schema, document, operationName);
    const query = isCompiledQuery(result) ? result : null;
    stats.compilations += 1;
    const entry = byName ?? new Map<string, CompiledQuery | null>();
    entry.set(key, query);
    operations += 1;
    compiled.delete(document);
    compiled.set(document, entry);
    while (operations > options.maxOperations) {
      const [oldest, names] = compiled.entries().next().value!;
      compiled.delete(oldest);
      runs.delete(oldest);
      operations -= names.size;
    }
    return query;
  }

  const plugin: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const rest = fixed.get(args.document);
      if (rest) {
        stats.compiledExecutions += 1;
        setExecuteFn((a) => rest.query(a.rootValue, a.contextValue, a.variableValues ?? {}));
        return;
      }
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription') return;
      const query = compiledOperation(args.schema, args.document, args.operationName ?? undefined);
      if (!query) return;
      if (operation.variableDefinitions?.length) {
        const coerced = getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {}, { maxErrors: 1 });
        if ('errors' in coerced) return;
      }
      const graphqlJs = executeFn as Execute;
      stats.compiledExecutions += 1;
      setExecuteFn((a) => {
        const result = query.query(a.rootValue, a.contextValue, a.variableValues ?? {});
        // graphql-jit answers without `data` only when it refuses the variables: graphql-js, which accepted them, decides.
        const settle = (r: ExecutionResult) => ('data' in r ? asGraphqlJsResult(r, a.document.loc?.source) : graphqlJs(a));
        return result instanceof Promise ? result.then(settle) : settle(result);
      });
    },
  };

  /** Compiles a REST route's fixed document once, at start-up (see compileFixedDocument). */
  const compileFixed = (schema: GraphQLSchema, document: DocumentNode) => void fixed.set(document, compileFixedDocument(schema, document));

  return { plugin, compileFixed, stats: () => ({ ...stats, operations }) };
}
