/**
 * Finds the first syntax error in a JSON text: its offset and a plain reason.
 * JSON.parse's own messages vary by engine and often omit the position; a
 * client who pasted the vendor's examples (a missing colon, trailing commas)
 * needs to be told exactly where and why.
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | null {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const describe = () => (i >= text.length ? 'end of input' : `'${text[i]}'`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`Unexpected ${describe()}`);
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('Control characters must be escaped in strings');
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
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (!match) fail(`Unexpected ${describe()}`);
    i += match![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail('Nesting is too deep');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] === '}') fail("Trailing comma before '}'");
        if (text[i] !== '"') fail(`Expected a double-quoted property name, found ${describe()}`);
        string();
        space();
        if (text[i] !== ':') fail(`Expected ':' after property name, found ${describe()}`);
        i++;
        value(depth + 1);
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail(`Expected ',' or '}' after property value, found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        space();
        if (text[i] === ']') fail("Trailing comma before ']'");
        value(depth + 1);
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail(`Expected ',' or ']' after array element, found ${describe()}`);
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    space();
    if (i < text.length) fail(`Unexpected ${describe()} after the JSON value`);
    return null;
  } catch (error) {
    if (error && typeof error === 'object' && 'offset' in error) return error as { offset: number; reason: string };
    throw error;
  }
}
