import { closeSync, openSync, readSync } from 'node:fs';
import { readCallImport } from '../core/call.js';
import { parseJson } from '../core/json-text.js';
import { ImportError, type NumberedCallImport } from '../store/call-store.js';

/** Bytes read at a time: with the chunk of calls being written, what an import holds whatever the file's size. */
export const READ_BLOCK = 1 << 20;

/** Line breaks as node:readline reads them: \n, \r\n, or a \r alone. */
const LINE_BREAK = /\r?\n|\r(?!\n)/;

/** Waits without returning to the event loop: the reader runs inside a synchronous transaction. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Reads into `buffer` at `offset`; a non-blocking stdin with nothing yet is waited for. 0 at the end. */
function readSome(fd: number, buffer: Buffer, offset: number): number {
  for (;;) {
    try {
      return readSync(fd, buffer, offset, buffer.length - offset, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      pause(10);
    }
  }
}

/** The break that ends the last whole line held: after it, the bytes of a line still being read. */
function endOfWholeLines(buffer: Buffer, end: number): number {
  const lf = buffer.lastIndexOf(0x0a, end - 1);
  // A \r that is not the last byte held: the byte after it says whether it ends a line alone.
  const cr = end >= 2 ? buffer.lastIndexOf(0x0d, end - 2) : -1;
  return Math.max(lf, cr) + 1;
}

/**
 * The lines of a file descriptor (a file, or stdin), read synchronously a
 * block at a time; a line longer than a block is held whole. Text is UTF-8,
 * as readline decodes it (invalid bytes become U+FFFD).
 */
export function* linesOf(fd: number, block = READ_BLOCK): Generator<string, void, undefined> {
  let buffer = Buffer.allocUnsafe(block);
  let held = 0;
  for (;;) {
    if (held === buffer.length) {
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, held);
      buffer = bigger;
    }
    const read = readSome(fd, buffer, held);
    if (read === 0) break;
    held += read;
    const whole = endOfWholeLines(buffer, held);
    if (whole === 0) continue;
    const lines = buffer.toString('utf8', 0, whole).split(LINE_BREAK);
    lines.pop(); // the empty text after the last break
    yield* lines;
    buffer.copy(buffer, 0, whole, held);
    held -= whole;
  }
  if (held === 0) return;
  const lines = buffer.toString('utf8', 0, held).split(LINE_BREAK);
  if (lines.at(-1) === '') lines.pop();
  yield* lines;
}

/**
 * The calls of the import's JSON-lines format, one per line, each with its
 * line number; blank lines are skipped but counted. A line that is not a
 * call throws ImportError with its number.
 */
export function* callsOf(lines: Iterable<string>): Generator<NumberedCallImport, void, undefined> {
  let line = 0;
  for (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const json = parseJson(text);
    if (!json.ok) throw new ImportError(line, json.description);
    const call = readCallImport(json.value);
    if (!call.ok) throw new ImportError(line, call.message);
    const numbered: NumberedCallImport = call.value;
    numbered.line = line;
    yield numbered;
  }
}

/**
 * The number of calls a file holds, for progress: its lines ending in \n (or
 * the last line, unended) that are not blank. Read once before the import,
 * a block at a time, counting bytes: far cheaper than the import's own read.
 */
export function countCallLines(path: string, block = READ_BLOCK): number {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(block);
    let count = 0;
    let blank = true;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      for (let i = 0; i < read; ) {
        if (blank) {
          while (i < read && (buffer[i] === 0x20 || buffer[i] === 0x09 || buffer[i] === 0x0d)) i++;
          if (i === read) break;
          if (buffer[i] !== 0x0a) blank = false;
        }
        const lf = buffer.indexOf(0x0a, i);
        if (lf === -1 || lf >= read) break;
        if (!blank) count++;
        blank = true;
        i = lf + 1;
      }
    }
    return blank ? count : count + 1;
  } finally {
    closeSync(fd);
  }
}
