import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { createOperationRunner } from '../../src/http/rest/operation.js';
import { createTestApp } from '../support/fixtures.js';

describe('REST shim documents', () => {
  it('refuses a document that does not validate, at start-up', async () => {
    const { app } = await createTestApp();
    expect(() => createOperationRunner(app.yoga as never, null).prepare(parse('{ nope }') as never)).toThrow(/REST shim document is invalid: Cannot query field "nope"/);
  });
});
