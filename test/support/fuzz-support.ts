import fc from 'fast-check';
import { FIELD } from './fixtures.js';

/**
 * Fuzzing settings shared by test/fuzz: one fixed seed (override with
 * FUZZ_SEED to explore, or to replay a failure: fast-check prints the seed
 * and path of a counterexample), and run counts bounded for CI (FUZZ_RUNS
 * multiplies them for a longer local run).
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20260107);
const RUN_FACTOR = Number(process.env.FUZZ_RUNS ?? 1);
export const runs = (n: number) => Math.max(1, Math.round(n * RUN_FACTOR));

/** Per-property parameters: the file's seed (offset per property, so they explore differently) and a bounded run count. */
export const fuzzParams = (offset: number, numRuns: number): fc.Parameters<unknown> => ({
  seed: FUZZ_SEED + offset,
  numRuns: runs(numRuns),
  endOnFailure: true,
});

/**
 * What must never reach a client: stack frames, source paths, driver and SQL
 * text. A pattern counts only when the request did not itself contain the
 * matched text (error messages may quote the input).
 */
const LEAKS: RegExp[] = [
  /\n\s+at \S/,
  /\bat (?:async )?[\w$.<>]+ \([^)]*:\d+:\d+\)/,
  /(?:file:\/\/|\/work\/|\/src\/|node_modules)\S*/,
  /\.[cm]?[jt]s:\d+/,
  /SQLITE_[A-Z_]+/,
  /better-sqlite3|drizzle|sqlite/i,
  /\b(?:SELECT\s[\s\S]*\sFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+\S+\s+SET)\b/i,
  /no such (?:table|column)|constraint failed|syntax error near/i,
  // (not SyntaxError: yoga answers a malformed JSON body with extensions.originalError {name: "SyntaxError",
  // message: V8's JSON.parse text quoting the body}, by design and without a stack; see graphql-fuzz.test.ts)
  /\b(?:TypeError|RangeError|ReferenceError|EvalError|AggregateError)\b/,
  /Maximum call stack|Cannot read propert|is not a function|undefined is not/i,
  /"stack"\s*:/,
];

export function leakIn(responseText: string, requestText: string): string | null {
  for (const pattern of LEAKS) {
    const match = pattern.exec(responseText);
    if (match && !requestText.includes(match[0])) return `${pattern}: ${JSON.stringify(match[0].slice(0, 120))}`;
  }
  return null;
}

/** Strings that stress encodings: any code point, lone surrogates, NUL and other controls, RTL marks, emoji. */
export const nastyString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '\u0085', '\u2028', 'é', 'e\u0301', '💥', '"', '\\', '%', '\n'), maxLength }),
    fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', '__proto__', 'constructor', 'toString', "'; DROP TABLE calls; --", '${x}', '%00', '\u0000Notes'),
  );

/** References a fuzzed entry may use: every fixture field (editable or not, other tenant's too), near misses, junk. */
export const fieldIdLike = fc.oneof(
  fc.constantFrom(...Object.values(FIELD)),
  fc.constantFrom(...Object.values(FIELD)).map((id) => id.toUpperCase()),
  fc.uuid(),
  nastyString(),
);
export const fieldNameLike = fc.oneof(
  fc.constantFrom('Payment status', 'Call type', 'Notes', 'Amount', 'Follow-up date', 'Locked', 'Retired', 'Secret'),
  fc.constantFrom('payment status', 'NOTES', 'Notes ', ' Notes', 'Notes\u0000', 'Call\u00a0type'),
  nastyString(),
);
