/** A JSON number kept as the digits the client sent, so "12345678901234567890" or 1e400 survive as text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonSyntaxError = { offset: number; reason: string };

/**
 * A strict JSON parser that says where and why a text is not JSON (engines'
 * JSON.parse messages vary and often omit the position), and can keep numbers
 * as their source text. `__proto__` keys are dropped.
 */
export function parseJsonText(text: string, options: { rawNumbers?: boolean } = {}): { ok: true; value: unknown } | ({ ok: false } & JsonSyntaxError) {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason } satisfies JsonSyntaxError;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? 'end of input' : `'${text[i]}'`);
  const literal = <T>(word: string, value: T): T => {
    if (!text.startsWith(word, i)) fail(`Unexpected ${describe()}`);
    i += word.length;
    return value;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail('Control characters must be escaped in strings');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('Invalid \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('Invalid escape in string');
      }
      i++;
    }
    if (i >= text.length) fail('Unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const number = (): number | JsonNumber => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 1024));
    if (!match) fail(`Unexpected ${describe()}`);
    i += match![0].length;
    return options.rawNumbers ? new JsonNumber(match![0]) : Number(match![0]);
  };
  const value = (depth: number): unknown => {
    if (depth > 512) fail('Nesting is too deep');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const object: Record<string, unknown> = {};
      space();
      if (text[i] === '}') return i++, object;
      for (;;) {
        space();
        if (text[i] === '}') fail("Trailing comma before '}'");
        if (text[i] !== '"') fail(`Expected a double-quoted property name, found ${describe()}`);
        const key = string();
        space();
        if (text[i] !== ':') fail(`Expected ':' after property name, found ${describe()}`);
        i++;
        const item = value(depth + 1);
        if (key !== '__proto__') object[key] = item;
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return i++, object;
        else fail(`Expected ',' or '}' after property value, found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      const array: unknown[] = [];
      space();
      if (text[i] === ']') return i++, array;
      for (;;) {
        space();
        if (text[i] === ']') fail("Trailing comma before ']'");
        array.push(value(depth + 1));
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return i++, array;
        else fail(`Expected ',' or ']' after array element, found ${describe()}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    return number();
  };
  try {
    const result = value(0);
    space();
    if (i < text.length) fail(`Unexpected ${describe()} after the JSON value`);
    return { ok: true, value: result };
  } catch (error) {
    if (error && typeof error === 'object' && 'offset' in error) return { ok: false, ...(error as JsonSyntaxError) };
    throw error;
  }
}

/** Brackets a text may hold and still be parsed without the reviver: nesting this deep never overflows it. */
const MAX_PLAIN_BRACKETS = 256;

/**
 * Whether JSON.parse needs the reviver that drops `__proto__` keys: only if
 * the text spells one, plainly or with a \u escape. The reviver also stands
 * for a depth limit (it recurses, and deep nesting overflows the stack, which
 * the strict parser then reports), so a text with more brackets than any
 * nesting it could survive keeps it too. Otherwise the plain JSON.parse, a
 * third of the cost, gives the same value.
 */
function needsReviver(text: string): boolean {
  if (text.includes('__proto__') || text.includes('\\u')) return true;
  let brackets = 0;
  for (const bracket of ['[', '{']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) if (++brackets > MAX_PLAIN_BRACKETS) return true;
  }
  return false;
}

/**
 * Parses a JSON body (a leading byte-order mark is ignored). A failure names
 * the line and column where the JSON breaks; `__proto__` keys are dropped so
 * a body cannot reach prototypes. With `rawNumbers`, numbers stay JsonNumber
 * with their source text.
 */
export function parseJson(text: string, options: { rawNumbers?: boolean } = {}): { ok: true; value: unknown } | { ok: false; description: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, description: 'Request body is empty; expected a JSON object' };
  if (!options.rawNumbers) {
    try {
      const value = needsReviver(body) ? JSON.parse(body, (key, value) => (key === '__proto__' ? undefined : value)) : JSON.parse(body);
      return { ok: true, value };
    } catch {
      // parsed again below, to say where it breaks
    }
  }
  const parsed = parseJsonText(body, options);
  if (parsed.ok) return parsed;
  const before = body.slice(0, parsed.offset);
  const line = before.split('\n').length;
  const column = parsed.offset - before.lastIndexOf('\n');
  return { ok: false, description: `Invalid JSON at line ${line}, column ${column}: ${parsed.reason}` };
}
