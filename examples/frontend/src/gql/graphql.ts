/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Which way a call went, as the call record states it. */
export type CallDirection =
  /** Received by the tenant. */
  | 'INBOUND'
  /** Placed by the tenant. */
  | 'OUTBOUND'
  /** The record does not say. */
  | 'UNKNOWN';

/** Calls matching every given condition. */
export type CallFilter = {
  /** At most 20, all of which must hold. */
  customFields?: Array<CustomFieldFilter> | null | undefined;
  /** The call has this direction. */
  direction?: CallDirection | null | undefined;
  /** The from or the to number starts with this, exactly (e.g. "+4930"). */
  number?: string | null | undefined;
  /** Set up at or after this instant. */
  setupTimeFrom?: string | null | undefined;
  /** Set up at or before this instant. */
  setupTimeTo?: string | null | undefined;
};

/** How calls are sorted; calls with the same sort key are ordered by call id, in the same direction. */
export type CallOrder = {
  /** Newest or longest first by default. */
  direction?: OrderDirection | null | undefined;
  /** The sort key. */
  field?: CallOrderField | null | undefined;
};

/** The sort key of a list of calls. */
export type CallOrderField =
  /** How long the call lasted. */
  | 'DURATION'
  /** When the call was set up. */
  | 'SETUP_TIME';

/** Why a change contradicts what is stored. */
export type ConflictReason =
  /** A bulk edit matches another number of calls than `expectedCount`; nothing was written. */
  | 'COUNT_MISMATCH'
  /** The name (or id, or username) is already taken in the tenant. */
  | 'DUPLICATE'
  /** The change would leave the tenant without an active admin. */
  | 'LAST_ADMIN'
  /** Stored values would become invalid or be deleted; repeat with `force: true`. */
  | 'STORED_VALUES'
  /** The record is no longer at `expectedVersion`: someone changed it; nothing was written. */
  | 'VERSION_MISMATCH';

/** What a custom field's value must be: exactly one of `equals`, `in` or `isSet` (@oneOf). */
export type CustomFieldCondition =
  {   /** The value is exactly this. */
  equals: string; in?: never; isSet?: never; }
  |  { equals?: never;   /** The value is one of these (at most 1000). */
  in: Array<string>; isSet?: never; }
  |  { equals?: never; in?: never;   /** true: the call has a value for the field; false: it has none. */
  isSet: boolean; };

/** A condition on one enabled custom field, named by `fieldId` or exact `name` (the id wins when both are given), with the condition in `is`. An unknown or disabled field is an error. */
export type CustomFieldFilter = {
  /**
   * The value is exactly this (as `is: { equals }`).
   * @deprecated Give the condition in `is`; the older form beside the reference is accepted for one more release.
   */
  equals?: string | null | undefined;
  /** The field UUID. */
  fieldId?: string | number | null | undefined;
  /**
   * The value is one of these, at most 1000 (as `is: { in }`).
   * @deprecated Give the condition in `is`; the older form beside the reference is accepted for one more release.
   */
  in?: Array<string> | null | undefined;
  /** The condition on the value, e.g. `{ in: ["Unpaid", "Unknown"] }`. */
  is?: CustomFieldCondition | null | undefined;
  /**
   * Whether the call has a value for the field (as `is: { isSet }`).
   * @deprecated Give the condition in `is`; the older form beside the reference is accepted for one more release.
   */
  isSet?: boolean | null | undefined;
  /** The exact field name. */
  name?: string | null | undefined;
};

/** The kind of value a custom field takes, and the format of its value (the text in `CustomFieldValue.value` and in `CustomFieldValueInput.value`). `""` or null clears. */
export type CustomFieldType =
  /** Exactly "true" or "false" (lower case). */
  | 'BOOLEAN'
  /** A calendar date as YYYY-MM-DD, e.g. "2023-09-12"; no time, no zone. */
  | 'DATE'
  /** Any number of distinct `options`: set with `values: [...]`, read as `values` (in option order) and as the JSON array text in `value`, e.g. `["Email","Phone"]`. */
  | 'MULTISELECT'
  /** A decimal number, optionally negative and with an exponent, e.g. "42", "-12.5", ".5" or "1e3"; no "+" sign. */
  | 'NUMBER'
  /** Exactly one of the field's `options`, as written there (case matters). */
  | 'OPTION'
  /** Any text of at most `maxLength` characters (code points; default 255). */
  | 'TEXT';

/** One custom field to set. Refer to the field by `fieldId` or `name`; when both are given the id wins and the name is ignored. `value: null` or `""` clears the value; leaving `value` out is an error. A MULTISELECT field takes `values` instead (`null` or `[]` clears). */
export type CustomFieldValueInput = {
  /** The field UUID. */
  fieldId?: string | number | null | undefined;
  /** The exact field name. */
  name?: string | null | undefined;
  /** The new value, in the format of the field's type (see CustomFieldType); null or "" clears. */
  value?: string | null | undefined;
  /** The chosen options of a MULTISELECT field, instead of `value`. */
  values?: Array<string> | null | undefined;
};

/** The direction of a sort. */
export type OrderDirection =
  /** Smallest (earliest, shortest) first. */
  | 'ASC'
  /** Largest (latest, longest) first. */
  | 'DESC';

export type CallRowFragment = { id: string, setupTime: string, direction: CallDirection, fromNumber: string, toNumber: string, duration: number, version: number };

export type FieldDefinitionFragment = { id: string, name: string, type: CustomFieldType, description: string | null, editable: boolean, options: Array<string> | null, maxLength: number | null };

export type FieldValueFragment = { fieldId: string, value: string | null, values: Array<string> | null, valid: boolean, updatedAt: string | null, updatedBy: string | null, field: { id: string, name: string, type: CustomFieldType, description: string | null, editable: boolean, options: Array<string> | null, maxLength: number | null } };

export type CallListQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
  filter?: CallFilter | null | undefined;
  orderBy?: CallOrder | null | undefined;
}>;


export type CallListQuery = { calls: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, setupTime: string, direction: CallDirection, fromNumber: string, toNumber: string, duration: number, version: number } }>, pageInfo: { endCursor: string | null, hasNextPage: boolean } } | null };

export type CallQueryVariables = Exact<{
  id: string | number;
}>;


export type CallQuery = { call: { id: string, setupTime: string, direction: CallDirection, fromNumber: string, toNumber: string, duration: number, version: number, customFields: Array<{ fieldId: string, value: string | null, values: Array<string> | null, valid: boolean, updatedAt: string | null, updatedBy: string | null, field: { id: string, name: string, type: CustomFieldType, description: string | null, editable: boolean, options: Array<string> | null, maxLength: number | null } }> } | null };

export type SetCallCustomFieldsMutationVariables = Exact<{
  callId: string | number;
  customFields: Array<CustomFieldValueInput> | CustomFieldValueInput;
  expectedVersion?: number | null | undefined;
}>;


export type SetCallCustomFieldsMutation = { setCallCustomFields:
    | { __typename: 'ConflictError', message: string, reason: ConflictReason }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidRecordError', message: string, details: Array<{ path: string, message: string }> }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'SetCallCustomFieldsSuccess', call: { id: string, setupTime: string, direction: CallDirection, fromNumber: string, toNumber: string, duration: number, version: number, customFields: Array<{ fieldId: string, value: string | null, values: Array<string> | null, valid: boolean, updatedAt: string | null, updatedBy: string | null, field: { id: string, name: string, type: CustomFieldType, description: string | null, editable: boolean, options: Array<string> | null, maxLength: number | null } }> } }
   };

export const CallRowFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CallRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Call"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"setupTime"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"fromNumber"}},{"kind":"Field","name":{"kind":"Name","value":"toNumber"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<CallRowFragment, unknown>;
export const FieldDefinitionFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldDefinition"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomField"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"editable"}},{"kind":"Field","name":{"kind":"Name","value":"options"}},{"kind":"Field","name":{"kind":"Name","value":"maxLength"}}]}}]} as unknown as DocumentNode<FieldDefinitionFragment, unknown>;
export const FieldValueFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldValue"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomFieldValue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fieldId"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"values"}},{"kind":"Field","name":{"kind":"Name","value":"valid"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"field"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FieldDefinition"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldDefinition"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomField"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"editable"}},{"kind":"Field","name":{"kind":"Name","value":"options"}},{"kind":"Field","name":{"kind":"Name","value":"maxLength"}}]}}]} as unknown as DocumentNode<FieldValueFragment, unknown>;
export const CallListDocument = {"__meta__":{"hash":"sha256:9a6ffc8fb7bb50d2279998c99faa80c0b316c1082b558e2d97bfec98350c42f9"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CallList"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CallFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CallOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"calls"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CallRow"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"endCursor"}},{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CallRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Call"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"setupTime"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"fromNumber"}},{"kind":"Field","name":{"kind":"Name","value":"toNumber"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]} as unknown as DocumentNode<CallListQuery, CallListQueryVariables>;
export const CallDocument = {"__meta__":{"hash":"sha256:70acb91983b52bd32534e58470e5e1dbbc6681c6d4f56b8be4685255982f2c12"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Call"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"call"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CallRow"}},{"kind":"Field","name":{"kind":"Name","value":"customFields"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeEmpty"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FieldValue"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldDefinition"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomField"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"editable"}},{"kind":"Field","name":{"kind":"Name","value":"options"}},{"kind":"Field","name":{"kind":"Name","value":"maxLength"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CallRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Call"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"setupTime"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"fromNumber"}},{"kind":"Field","name":{"kind":"Name","value":"toNumber"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldValue"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomFieldValue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fieldId"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"values"}},{"kind":"Field","name":{"kind":"Name","value":"valid"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"field"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FieldDefinition"}}]}}]}}]} as unknown as DocumentNode<CallQuery, CallQueryVariables>;
export const SetCallCustomFieldsDocument = {"__meta__":{"hash":"sha256:2febf1d140ec966c849377f230f31b5463a3ebe8e96390bd530ce921044f2b3d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetCallCustomFields"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"callId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"customFields"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CustomFieldValueInput"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"SafeInt"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setCallCustomFields"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"callId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"callId"}}},{"kind":"Argument","name":{"kind":"Name","value":"customFields"},"value":{"kind":"Variable","name":{"kind":"Name","value":"customFields"}}},{"kind":"Argument","name":{"kind":"Name","value":"expectedVersion"},"value":{"kind":"Variable","name":{"kind":"Name","value":"expectedVersion"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SetCallCustomFieldsSuccess"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"call"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"CallRow"}},{"kind":"Field","name":{"kind":"Name","value":"customFields"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"includeEmpty"},"value":{"kind":"BooleanValue","value":true}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FieldValue"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"InvalidRecordError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ConflictError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ForbiddenError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"NotFoundError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldDefinition"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomField"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"editable"}},{"kind":"Field","name":{"kind":"Name","value":"options"}},{"kind":"Field","name":{"kind":"Name","value":"maxLength"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"CallRow"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Call"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"setupTime"}},{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"fromNumber"}},{"kind":"Field","name":{"kind":"Name","value":"toNumber"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"FieldValue"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"CustomFieldValue"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"fieldId"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"values"}},{"kind":"Field","name":{"kind":"Name","value":"valid"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}},{"kind":"Field","name":{"kind":"Name","value":"field"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"FieldDefinition"}}]}}]}}]} as unknown as DocumentNode<SetCallCustomFieldsMutation, SetCallCustomFieldsMutationVariables>;