import { describe, expect, it } from 'vitest';
import { parseJson } from '../../src/core/json-text.js';

describe('parseJson', () => {
  it.each([
    ['plainly', '{"a": 1, "__proto__": {"polluted": true}, "b": {"__proto__": 2}}'],
    ['with an escape', '{"a": 1, "\\u005f_proto__": {"polluted": true}, "b": {"__pro\\u0074o__": 2}}'],
  ])('drops a __proto__ key spelled %s, at any depth', (_how, text) => {
    const parsed = parseJson(text);
    expect(parsed.ok).toBe(true);
    const value = (parsed as { value: Record<string, unknown> }).value;
    expect(Object.keys(value)).toEqual(['a', 'b']);
    expect(Object.keys(value.b as object)).toEqual([]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('refuses nesting too deep for the reviver as before, whether or not a key is __proto__', () => {
    for (const text of ['['.repeat(100_000) + ']'.repeat(100_000), '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000)]) {
      expect(parseJson(text)).toEqual({ ok: false, description: expect.stringMatching(/^Invalid JSON at line 1, column \d+: Nesting is too deep$/) });
    }
    expect(parseJson(`{"v": ${'['.repeat(400)}${']'.repeat(400)}}`)).toMatchObject({ ok: true });
  });

  it.each([
    '{"a": [1, 2.5, "x", null, true], "b": {"c": "d"}}',
    '{"text": "a \\"quoted\\" \\\\ backslash ✓"}',
    '"just a string"',
    '[]',
  ])('answers what JSON.parse does for a text without __proto__: %s', (text) => {
    expect(parseJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });
});
