import type { EntryAttribute } from './change-set.js';

/**
 * Where a problem with a set-custom-fields request stands: the list as a
 * whole, one entry, or one attribute of an entry. Each transport names it in
 * its own words, here and nowhere else.
 */
export type EntryLocation = { list: true } | { index: number; attribute: EntryAttribute | null };

/** GraphQL's input path: "customFields", "customFields.2", "customFields.2.fieldId". */
export function graphqlPath(location: EntryLocation): string {
  if ('list' in location) return 'customFields';
  return `customFields.${location.index}${location.attribute ? `.${location.attribute}` : ''}`;
}

/** The vendor's REST attribute names; REST has only `value`, so a multiselect's `values` is `value` there. */
const REST_ATTRIBUTE: Record<EntryAttribute, string> = { fieldId: 'field_id', name: 'name', value: 'value', values: 'value' };

/** The vendor's details key: "call.custom_fields", "custom_fields.2", "custom_fields.2.field_id". */
export function restKey(location: EntryLocation): string {
  if ('list' in location) return 'call.custom_fields';
  return `custom_fields.${location.index}${location.attribute ? `.${REST_ATTRIBUTE[location.attribute]}` : ''}`;
}

const GRAPHQL_PATH = /^customFields(?:\.(\d+)(?:\.(fieldId|name|value|values))?)?$/;

/** The location a GraphQL input path names (the inverse of graphqlPath); null for any other path. */
export function locationOfGraphqlPath(path: string): EntryLocation | null {
  const match = GRAPHQL_PATH.exec(path);
  if (!match) return null;
  if (match[1] === undefined) return { list: true };
  return { index: Number(match[1]), attribute: (match[2] as EntryAttribute | undefined) ?? null };
}
