import { hash } from 'node:crypto';

/** One entity tag as sent: `opaque` with its quotes, e.g. `"3"`; `weak` for `W/"3"`. */
export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** An If-Match or If-None-Match header (RFC 9110 §13.1.1, §13.1.2): `*`, or a list of entity tags. */
export type EntityTagCondition = { any: true } | { any: false; tags: readonly EntityTag[] };

const ANY: EntityTagCondition = { any: true };

/**
 * One list element (RFC 9110 §5.6.1, §8.8.3): optional whitespace, an entity
 * tag or nothing (empty elements are allowed and ignored), optional
 * whitespace, then a comma or the end. etagc is %x21 / %x23-7E / obs-text.
 */
const ELEMENT = /[ \t]*(?:(W\/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(,|$)/y;

/**
 * Reads an If-Match / If-None-Match value; null when it is not `*` or a list
 * of at least one entity tag. Tags are kept as sent: `"01"` is not `"1"`, and
 * a long run of digits is just an opaque tag, never a number.
 */
export function parseEntityTags(header: string): EntityTagCondition | null {
  if (/^[ \t]*\*[ \t]*$/.test(header)) return ANY;
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < header.length) {
    ELEMENT.lastIndex = at;
    const element = ELEMENT.exec(header);
    if (!element || element[0] === '') return null;
    if (element[2] !== undefined) tags.push({ weak: element[1] !== undefined, opaque: element[2] });
    at = ELEMENT.lastIndex;
  }
  return tags.length > 0 ? { any: false, tags } : null;
}

/**
 * Whether a condition names the current entity tag `current` (strong, as we
 * send it). If-Match compares strongly: a weak tag never matches. If-None-Match
 * compares weakly: `W/"x"` names `"x"`. `*` names any current representation.
 */
export function namesCurrent(condition: EntityTagCondition, current: string, comparison: 'strong' | 'weak'): boolean {
  if (condition.any) return true;
  return condition.tags.some((tag) => tag.opaque === current && (comparison === 'weak' || !tag.weak));
}

/**
 * The strong entity tag of a body: a SHA-256 of its exact bytes, cut to 22
 * base64url characters (132 bits). It changes whenever the body does,
 * whatever the body depends on (a call's values, the names of its fields),
 * and costs about a microsecond for a call. `revision`, when given, is hashed
 * with the body: a call's version, so that every write gives a new tag even
 * when it leaves the body as it was.
 */
export const entityTagOf = (body: string, revision?: number): string =>
  `"${hash('sha256', revision === undefined ? body : `${revision}\n${body}`, 'base64url').slice(0, 22)}"`;
