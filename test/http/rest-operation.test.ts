import { parse, type ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { prepareOperation, useCompiledRestDocuments } from '../../src/http/rest-operation.js';
import { createTestApp } from '../support/fixtures.js';

/** What useCompiledRestDocuments does with a document: the executor it sets, if any. */
function executorFor(document: ExecutionArgs['document']) {
  let chosen: ((args: ExecutionArgs) => unknown) | undefined;
  const onExecute = useCompiledRestDocuments.onExecute as (payload: unknown) => void;
  onExecute({ args: { document }, setExecuteFn: (fn: (args: ExecutionArgs) => unknown) => (chosen = fn) });
  return chosen;
}

describe('REST documents compiled once (graphql-jit)', () => {
  it('runs a document prepared with compile through its compiled executor, and nothing else', async () => {
    const { app } = await createTestApp();
    const source = '{ viewer { username } }';
    const compiled = prepareOperation(source, app.yoga as never, { compile: true });
    const plain = prepareOperation(source, app.yoga as never);
    expect(executorFor(compiled)).toBeTypeOf('function');
    expect(executorFor(plain)).toBeUndefined();
    expect(executorFor(parse(source))).toBeUndefined();
    const viewer = { userId: 'u', tenantId: 't', username: 'editor', role: 'editor' };
    expect(await executorFor(compiled)!({ document: compiled, contextValue: { viewer }, variableValues: {} } as never)).toEqual({
      data: { viewer: { username: 'editor' } },
    });
  });

  it('refuses a document that does not validate, at start-up', async () => {
    const { app } = await createTestApp();
    expect(() => prepareOperation('{ nope }', app.yoga as never, { compile: true })).toThrow(/REST shim document is invalid: Cannot query field "nope"/);
  });
});
