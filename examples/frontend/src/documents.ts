import persistedDocuments from './gql/persisted-documents.json' with { type: 'json' };
import callEditorQuery from './relay/__generated__/callEditorQuery.graphql.js';
import callEditorRefetchQuery from './relay/__generated__/callEditorRefetchQuery.graphql.js';
import callEditorSaveMutation from './relay/__generated__/callEditorSaveMutation.graphql.js';
import callListPaginationQuery from './relay/__generated__/callListPaginationQuery.graphql.js';
import callListQuery from './relay/__generated__/callListQuery.graphql.js';

/** One operation the example sends, exactly as it goes over the wire. */
export interface FrontendDocument {
  compiler: 'graphql-codegen' | 'relay-compiler';
  operationName: string;
  /** The persisted-documents hash (graphql-codegen only). */
  hash?: string;
  text: string;
}

const operationName = (text: string) => {
  const name = /\b(?:query|mutation|subscription)\s+(\w+)/.exec(text)?.[1];
  if (!name) throw new Error(`An operation without a name: ${text.slice(0, 80)}`);
  return name;
};

/** graphql-codegen's persisted-documents manifest (gql/persisted-documents.json), hash -> text. */
export const codegenDocuments: FrontendDocument[] = Object.entries(persistedDocuments).map(([hash, text]) => ({
  compiler: 'graphql-codegen',
  operationName: operationName(text),
  hash,
  text,
}));

/** Each query and mutation relay-compiler wrote, with the text its artifact sends (`params.text`). */
export const relayDocuments: FrontendDocument[] = [callListQuery, callListPaginationQuery, callEditorQuery, callEditorRefetchQuery, callEditorSaveMutation].map(
  ({ params }) => {
    if (params.text == null) throw new Error(`${params.name} has no text`);
    return { compiler: 'relay-compiler', operationName: params.name, text: params.text };
  },
);

/** Every operation of the example, for checks that run them all (e.g. the query limits). */
export const frontendDocuments: FrontendDocument[] = [...codegenDocuments, ...relayDocuments];
