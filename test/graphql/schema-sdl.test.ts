import { readFileSync } from 'node:fs';
import { buildASTSchema, lexicographicSortSchema, parse, printSchema, visit, type ASTNode } from 'graphql';
import { expect, it } from 'vitest';
import { printSortedSchema, SCHEMA_FILE } from '../../src/graphql/print-schema.js';

/** The printed schema without descriptions, so the contract checks below read names and types only. */
function contractSdl(): string {
  const stripped = visit(parse(printSortedSchema()), {
    enter: (node: ASTNode) => ('description' in node && node.description ? { ...node, description: undefined } : undefined),
  });
  return printSchema(lexicographicSortSchema(buildASTSchema(stripped)));
}

it('schema/schema.graphql is the printed schema (run `npm run schema:print` after a schema change)', () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(printSortedSchema());
});

it('keeps the contract names of the mutation and its result union', () => {
  const sdl = contractSdl();
  // The contract's arguments and members, plus the optional expectedVersion and its ConflictError (names may gain, never lose).
  expect(sdl).toMatch(
    /setCallCustomFields\(\n?\s*callId: ID!,?\n?\s*customFields: \[CustomFieldValueInput!\]!,?\n?[\s\S]*?expectedVersion: SafeInt\n?\s*\): SetCallCustomFieldsResult!/,
  );
  expect(sdl).toContain(
    'union SetCallCustomFieldsResult = ConflictError | ForbiddenError | InvalidRecordError | NotFoundError | SetCallCustomFieldsSuccess',
  );
  // The input may gain fields (values, for multiselect fields), never lose these.
  expect(sdl).toMatch(/input CustomFieldValueInput \{\n\s+fieldId: ID\n\s+name: String\n\s+value: String\n(?:[^}]*\n)?\s+values: \[String!\]\n\}/);
  expect(sdl).toMatch(/type InvalidRecordError implements Error \{\n\s+details: \[ValidationDetail!\]!\n\s+message: String!\n\}/);
});

it('keeps the contract names of the admin mutations; each result union lists only what its mutation returns', () => {
  const sdl = contractSdl();
  for (const [mutation, union, members] of [
    ['createCustomField(input: CreateCustomFieldInput!): CreateCustomFieldResult!', 'CreateCustomFieldResult', ['ConflictError', 'CreateCustomFieldSuccess', 'ForbiddenError', 'InvalidRecordError']],
    ['updateCustomField(force: Boolean = false, id: ID!, input: UpdateCustomFieldInput!): UpdateCustomFieldResult!', 'UpdateCustomFieldResult', ['ConflictError', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError', 'UpdateCustomFieldSuccess']],
    ['deleteCustomField(force: Boolean = false, id: ID!): DeleteCustomFieldResult!', 'DeleteCustomFieldResult', ['ConflictError', 'DeleteCustomFieldSuccess', 'ForbiddenError', 'NotFoundError']],
    ['createApiUser(input: CreateApiUserInput!): CreateApiUserResult!', 'CreateApiUserResult', ['ApiUserSuccess', 'ConflictError', 'ForbiddenError', 'InvalidRecordError']],
    ['updateApiUser(input: UpdateApiUserInput!, username: String!): UpdateApiUserResult!', 'UpdateApiUserResult', ['ApiUserSuccess', 'ConflictError', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError']],
    ['createApiToken(input: CreateApiTokenInput!): CreateApiTokenResult!', 'CreateApiTokenResult', ['CreateApiTokenSuccess', 'ForbiddenError', 'InvalidRecordError', 'NotFoundError']],
    ['revokeApiToken(id: ID!): RevokeApiTokenResult!', 'RevokeApiTokenResult', ['ForbiddenError', 'NotFoundError', 'RevokeApiTokenSuccess']],
  ] as const) {
    expect(sdl).toContain(mutation);
    expect(sdl).toContain(`union ${union} = ${members.join(' | ')}\n`);
  }
  expect(sdl).toMatch(/type ConflictError implements Error \{[^}]*affectedValues: Int!/);
  expect(sdl).toMatch(/type CreateApiTokenSuccess \{[^}]*secret: String![^}]*token: ApiToken!/);
  // Nullable: a refused role answers null with a FORBIDDEN error while the rest of the document answers.
  expect(sdl).toMatch(/apiUsers\(after: String, before: String, first: Int, last: Int\): ApiUserConnection\n/);
  expect(sdl).toMatch(/apiTokens\(after: String, before: String, first: Int, last: Int\): ApiTokenConnection\n/);
  const outputType = (name: string) => sdl.slice(sdl.indexOf(`type ${name} {`), sdl.indexOf('\n}', sdl.indexOf(`type ${name} {`)));
  expect(outputType('ApiUser')).not.toMatch(/password|hash|secret/i);
  expect(outputType('ApiToken')).not.toMatch(/password|hash|secret|token:/i);
});

it('Node follows Global Object Identification: id is the global id, nodeId a deprecated alias for one release', () => {
  const sdl = printSortedSchema();
  expect(sdl).toMatch(/interface Node \{\n(\s+"""[^"]*"""\n)?\s+id: ID!\n/);
  expect(sdl).toMatch(/interface Node \{[^}]*nodeId: ID! @deprecated\(reason: "Use id[^"]*"\)\n\}/);
  for (const type of ['Call', 'CustomField']) expect(sdl).toMatch(new RegExp(`type ${type} implements Node \\{[^}]*\\n\\s+id: ID!\\n`));
});
