import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { callsOf, countCallLines, linesOf } from '../../src/cli/import-file.js';
import { readCallImport } from '../../src/core/call.js';
import { ImportError } from '../../src/store/call-store.js';

const dir = mkdtempSync(join(tmpdir(), 'callgate-import-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A file holding `content`. */
function fileWith(content: string | Buffer): string {
  const path = join(dir, `${++files}.jsonl`);
  writeFileSync(path, content);
  return path;
}

/** The lines linesOf reads from the file, `block` bytes at a time. */
function linesRead(path: string, block?: number): string[] {
  const fd = openSync(path, 'r');
  try {
    return [...linesOf(fd, block)];
  } finally {
    closeSync(fd);
  }
}

/** The lines node:readline reads from the same bytes: what the import read before it streamed. */
async function readlineLines(content: string | Buffer): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from([Buffer.from(content)]), crlfDelay: Infinity })) lines.push(line);
  return lines;
}

const call = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ call_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, setup_time: '2026-03-01T12:00:00Z', from_number: '+1', to_number: '+2', ...extra });

describe('the import file, read a block at a time', () => {
  const texts: [string, string | Buffer][] = [
    ['\\n', 'a\nbb\nccc\n'],
    ['no break after the last line', 'a\nbb\nccc'],
    ['\\r\\n', 'a\r\nbb\r\n\r\nccc\r\n'],
    ['a \\r alone', 'a\rbb\r\rccc'],
    ['blank and whitespace lines', '\n  \n\t\na\n\n'],
    ['multi-byte characters', 'ünïcödé ✓\n€uro 😀 emoji\nend ✓'],
    ['a byte-order mark and an invalid byte', Buffer.concat([Buffer.from('\ufeffa\n'), Buffer.from([0x62, 0xff, 0x0a, 0x63])])],
    ['a line longer than every block', `${'x'.repeat(100)}\r\n${'y'.repeat(37)}\n`],
    ['nothing', ''],
  ];

  it.each(texts)('splits lines as readline does, whatever the block size: %s', async (_what, content) => {
    const path = fileWith(content);
    const expected = await readlineLines(content);
    for (const block of [1, 2, 3, 5, 7, 16, 1 << 20]) expect(linesRead(path, block), `block of ${block}`).toEqual(expected);
  });

  it('counts the calls of a file for progress: lines that are not blank', () => {
    for (const [content, count] of [
      ['', 0],
      ['a', 1],
      ['a\n', 1],
      ['a\n\n  \r\n\tb\r\nc', 3],
      ['\n\n\n', 0],
      [`${'x'.repeat(50)}\n \n${'y'.repeat(50)}`, 2],
    ] as const) {
      const path = fileWith(content);
      for (const block of [1, 3, 8, 1 << 20]) expect(countCallLines(path, block), `${JSON.stringify(content)}, block of ${block}`).toBe(count);
    }
  });
});

describe('the calls of the import file', () => {
  it('numbers each call by its line, blank lines counted', () => {
    const calls = [...callsOf(['', call(1), '   ', call(2), call(3)])];
    expect(calls.map((c) => [c.line, c.call.callId.slice(-1)])).toEqual([[2, '1'], [4, '2'], [5, '3']]);
  });

  it.each([
    ['broken JSON', '{"call_id": ', /^Invalid JSON at line 1, column 13/],
    ['not a call', call(1, { duration: -1 }), /^duration must be a whole number of seconds$/],
    ['not an object', '[1]', /^expected a JSON object$/],
  ])('stops at %s with its line number, only when reading reaches it', (_what, bad, message) => {
    const calls = callsOf([call(1), '', bad, call(4)]);
    expect(calls.next().value).toMatchObject({ line: 1 });
    let error: unknown;
    try {
      calls.next();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect(error).toMatchObject({ line: 3, message: expect.stringMatching(message) });
  });

  it('reads a call whatever its keys as parseJson would: a __proto__ key, spelled plainly or escaped, is dropped', () => {
    for (const text of [
      call(1, { ['__proto__']: { duration: 5 } }),
      '{"__proto__": {"call_id": "x"}, "call_id": "00000000-0000-4000-8000-000000000001", "setup_time": "2026-03-01T12:00:00Z", "from_number": "+1", "to_number": "+2"}',
      '{"\\u005f_proto__": {"duration": 5}, "call_id": "00000000-0000-4000-8000-000000000001", "setup_time": "2026-03-01T12:00:00Z", "from_number": "+1", "to_number": "+2", "custom_fields": [{"name": "N", "\\u005f_proto__": {"value": "x"}, "value": "y"}]}',
    ]) {
      const [read] = [...callsOf([text])];
      const { line: _line, ...parsed } = read!;
      expect(parsed).toEqual((readCallImport(JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value))) as { value: unknown }).value);
    }
  });
});
