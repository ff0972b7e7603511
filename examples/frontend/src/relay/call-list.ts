// The call list's documents, for relay-compiler. In a React app with
// babel-plugin-relay each tag becomes its artifact from __generated__ (use
// them with usePreloadedQuery and usePaginationFragment); without Babel a tag
// throws when evaluated, so this framework-free example imports the artifacts
// directly (see environment.ts) and never loads this module.
import { graphql } from 'relay-runtime';

export const callListQuery = graphql`
  query callListQuery($count: Int, $filter: CallFilter) {
    ...callList_query @arguments(count: $count, filter: $filter)
  }
`;

/** A page of calls; `@connection` merges the next pages into one list, `@refetchable` writes the pagination query. */
export const callListFragment = graphql`
  fragment callList_query on Query
  @refetchable(queryName: "callListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }, filter: { type: "CallFilter" }) {
    calls(first: $count, after: $cursor, filter: $filter) @connection(key: "callList_calls", filters: ["filter"]) {
      totalCount
      edges {
        node {
          id
          ...callList_row
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`;

/** The columns of one row. */
export const callRowFragment = graphql`
  fragment callList_row on Call {
    id
    setupTime
    direction
    fromNumber
    toNumber
    duration
  }
`;
