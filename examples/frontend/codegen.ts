import type { CodegenConfig } from '@graphql-codegen/cli';

// Run from the repository root: `npm run example:codegen`.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  // Relay's documents (src/relay) use Relay's directives; they have their own compiler.
  documents: ['examples/frontend/src/operations.ts'],
  ignoreNoDocuments: false,
  generates: {
    'examples/frontend/src/gql/': {
      preset: 'client',
      presetConfig: {
        // The example reads fragments' fields directly; a React app may keep masking on.
        fragmentMasking: false,
        // gql/persisted-documents.json: hash -> document, for PERSISTED_DOCUMENTS on the server.
        persistedDocuments: true,
      },
      config: {
        // Every custom scalar of the schema, mapped; strictScalars fails the build on a new unmapped one.
        scalars: { DateTime: 'string', SafeInt: 'number' },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        // Imports with .js extensions, as Node's ESM resolution and TypeScript's NodeNext want them.
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
