import type { SetCallCustomFieldsMutation } from './gql/graphql.js';

type SaveResult = SetCallCustomFieldsMutation['setCallCustomFields'];
type SavedCall = Extract<SaveResult, { __typename: 'SetCallCustomFieldsSuccess' }>['call'];

/** What the tagging screen does after a save, one case per member of SetCallCustomFieldsResult. */
export type SaveOutcome =
  | { kind: 'saved'; call: SavedCall }
  /** Show each problem next to its entry (`path` is e.g. "customFields.0.value"). */
  | { kind: 'invalid'; message: string; problems: { path: string; message: string }[] }
  /** VERSION_MISMATCH: someone saved first; reload the call and try again. */
  | { kind: 'conflict'; message: string; reason: string }
  | { kind: 'forbidden'; message: string }
  | { kind: 'notFound'; message: string };

/**
 * Maps the mutation's result union, member by member. The `never` in the
 * default branch makes tsc fail when the schema adds a member the screen does
 * not handle yet (after `npm run example:codegen`).
 */
export function saveOutcome(result: SaveResult): SaveOutcome {
  switch (result.__typename) {
    case 'SetCallCustomFieldsSuccess':
      return { kind: 'saved', call: result.call };
    case 'InvalidRecordError':
      return { kind: 'invalid', message: result.message, problems: result.details };
    case 'ConflictError':
      return { kind: 'conflict', message: result.message, reason: result.reason };
    case 'ForbiddenError':
      return { kind: 'forbidden', message: result.message };
    case 'NotFoundError':
      return { kind: 'notFound', message: result.message };
    default:
      return unhandled(result);
  }
}

function unhandled(member: never): never {
  throw new Error(`Unhandled result member ${(member as { __typename: string }).__typename}`);
}
