import { describe, expect, it } from 'vitest';
import { prepareOperation } from '../../src/http/rest-operation.js';
import { createTestApp } from '../support/fixtures.js';

describe('REST shim documents', () => {
  it('refuses a document that does not validate, at start-up', async () => {
    const { app } = await createTestApp();
    expect(() => prepareOperation('{ nope }', app.yoga as never, { compile: true })).toThrow(/REST shim document is invalid: Cannot query field "nope"/);
  });
});
