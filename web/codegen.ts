// Types and typed documents from the gateway's schema (../schema.graphql,
// printed from the Rust code). Every document in src/ is validated against
// it, so a schema change that breaks the dashboard fails `npm run build`.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Plain strings, not ASTs: no GraphQL runtime in the bundle.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        // An unmapped custom scalar fails generation instead of becoming `any`.
        strictScalars: true,
        scalars: {
          Tiyn: 'number',
          YearMonth: 'string',
          Date: 'string',
          DateTime: 'string',
          UUID: 'string',
          JSON: 'unknown',
        },
      },
    },
  },
};

export default config;
