/**
 * @generated SignedSource<<99437f5458fbb7b4a97a03bdb4d415a6>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type ConflictReason = "COUNT_MISMATCH" | "DUPLICATE" | "LAST_ADMIN" | "STORED_VALUES" | "VERSION_MISMATCH" | "%future added value";
export type CustomFieldValueInput = {
  fieldId?: string | null | undefined;
  name?: string | null | undefined;
  value?: string | null | undefined;
  values?: ReadonlyArray<string> | null | undefined;
};
export type callEditorSaveMutation$variables = {
  callId: string;
  customFields: ReadonlyArray<CustomFieldValueInput>;
  expectedVersion?: any | null | undefined;
};
export type callEditorSaveMutation$data = {
  readonly setCallCustomFields: {
    readonly __typename: "ConflictError";
    readonly message: string;
    readonly reason: ConflictReason;
  } | {
    readonly __typename: "ForbiddenError";
    readonly message: string;
  } | {
    readonly __typename: "InvalidRecordError";
    readonly details: ReadonlyArray<{
      readonly message: string;
      readonly path: string;
    }>;
    readonly message: string;
  } | {
    readonly __typename: "NotFoundError";
    readonly message: string;
  } | {
    readonly __typename: "SetCallCustomFieldsSuccess";
    readonly call: {
      readonly " $fragmentSpreads": FragmentRefs<"callEditor_call">;
    };
  } | {
    // This will never be '%other', but we need some
    // value in case none of the concrete values match.
    readonly __typename: "%other";
  };
};
export type callEditorSaveMutation = {
  response: callEditorSaveMutation$data;
  variables: callEditorSaveMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "callId"
  },
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "customFields"
  },
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "expectedVersion"
  }
],
v1 = [
  {
    "kind": "Variable",
    "name": "callId",
    "variableName": "callId"
  },
  {
    "kind": "Variable",
    "name": "customFields",
    "variableName": "customFields"
  },
  {
    "kind": "Variable",
    "name": "expectedVersion",
    "variableName": "expectedVersion"
  }
],
v2 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "__typename",
  "storageKey": null
},
v3 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "message",
  "storageKey": null
},
v4 = {
  "kind": "InlineFragment",
  "selections": [
    (v3/*:: as any*/),
    {
      "alias": null,
      "args": null,
      "concreteType": "ValidationDetail",
      "kind": "LinkedField",
      "name": "details",
      "plural": true,
      "selections": [
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "path",
          "storageKey": null
        },
        (v3/*:: as any*/)
      ],
      "storageKey": null
    }
  ],
  "type": "InvalidRecordError",
  "abstractKey": null
},
v5 = {
  "kind": "InlineFragment",
  "selections": [
    (v3/*:: as any*/),
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "reason",
      "storageKey": null
    }
  ],
  "type": "ConflictError",
  "abstractKey": null
},
v6 = [
  (v3/*:: as any*/)
],
v7 = {
  "kind": "InlineFragment",
  "selections": (v6/*:: as any*/),
  "type": "ForbiddenError",
  "abstractKey": null
},
v8 = {
  "kind": "InlineFragment",
  "selections": (v6/*:: as any*/),
  "type": "NotFoundError",
  "abstractKey": null
},
v9 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
};
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "callEditorSaveMutation",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "setCallCustomFields",
        "plural": false,
        "selections": [
          (v2/*:: as any*/),
          {
            "kind": "InlineFragment",
            "selections": [
              {
                "alias": null,
                "args": null,
                "concreteType": "Call",
                "kind": "LinkedField",
                "name": "call",
                "plural": false,
                "selections": [
                  {
                    "args": null,
                    "kind": "FragmentSpread",
                    "name": "callEditor_call"
                  }
                ],
                "storageKey": null
              }
            ],
            "type": "SetCallCustomFieldsSuccess",
            "abstractKey": null
          },
          (v4/*:: as any*/),
          (v5/*:: as any*/),
          (v7/*:: as any*/),
          (v8/*:: as any*/)
        ],
        "storageKey": null
      }
    ],
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "callEditorSaveMutation",
    "selections": [
      {
        "alias": null,
        "args": (v1/*:: as any*/),
        "concreteType": null,
        "kind": "LinkedField",
        "name": "setCallCustomFields",
        "plural": false,
        "selections": [
          (v2/*:: as any*/),
          {
            "kind": "InlineFragment",
            "selections": [
              {
                "alias": null,
                "args": null,
                "concreteType": "Call",
                "kind": "LinkedField",
                "name": "call",
                "plural": false,
                "selections": [
                  (v9/*:: as any*/),
                  {
                    "alias": null,
                    "args": null,
                    "kind": "ScalarField",
                    "name": "version",
                    "storageKey": null
                  },
                  {
                    "alias": null,
                    "args": [
                      {
                        "kind": "Literal",
                        "name": "includeEmpty",
                        "value": true
                      }
                    ],
                    "concreteType": "CustomFieldValue",
                    "kind": "LinkedField",
                    "name": "customFields",
                    "plural": true,
                    "selections": [
                      {
                        "alias": null,
                        "args": null,
                        "kind": "ScalarField",
                        "name": "fieldId",
                        "storageKey": null
                      },
                      {
                        "alias": null,
                        "args": null,
                        "kind": "ScalarField",
                        "name": "value",
                        "storageKey": null
                      },
                      {
                        "alias": null,
                        "args": null,
                        "kind": "ScalarField",
                        "name": "values",
                        "storageKey": null
                      },
                      {
                        "alias": null,
                        "args": null,
                        "kind": "ScalarField",
                        "name": "valid",
                        "storageKey": null
                      },
                      {
                        "alias": null,
                        "args": null,
                        "concreteType": "CustomField",
                        "kind": "LinkedField",
                        "name": "field",
                        "plural": false,
                        "selections": [
                          (v9/*:: as any*/),
                          {
                            "alias": null,
                            "args": null,
                            "kind": "ScalarField",
                            "name": "name",
                            "storageKey": null
                          },
                          {
                            "alias": null,
                            "args": null,
                            "kind": "ScalarField",
                            "name": "type",
                            "storageKey": null
                          },
                          {
                            "alias": null,
                            "args": null,
                            "kind": "ScalarField",
                            "name": "editable",
                            "storageKey": null
                          },
                          {
                            "alias": null,
                            "args": null,
                            "kind": "ScalarField",
                            "name": "options",
                            "storageKey": null
                          },
                          {
                            "alias": null,
                            "args": null,
                            "kind": "ScalarField",
                            "name": "maxLength",
                            "storageKey": null
                          }
                        ],
                        "storageKey": null
                      }
                    ],
                    "storageKey": "customFields(includeEmpty:true)"
                  }
                ],
                "storageKey": null
              }
            ],
            "type": "SetCallCustomFieldsSuccess",
            "abstractKey": null
          },
          (v4/*:: as any*/),
          (v5/*:: as any*/),
          (v7/*:: as any*/),
          (v8/*:: as any*/)
        ],
        "storageKey": null
      }
    ]
  },
  "params": {
    "cacheID": "d5ab2e2a6436cbcdcc8bf87626a2058a",
    "id": null,
    "metadata": {},
    "name": "callEditorSaveMutation",
    "operationKind": "mutation",
    "text": "mutation callEditorSaveMutation(\n  $callId: ID!\n  $customFields: [CustomFieldValueInput!]!\n  $expectedVersion: SafeInt\n) {\n  setCallCustomFields(callId: $callId, customFields: $customFields, expectedVersion: $expectedVersion) {\n    __typename\n    ... on SetCallCustomFieldsSuccess {\n      call {\n        ...callEditor_call\n        id\n      }\n    }\n    ... on InvalidRecordError {\n      message\n      details {\n        path\n        message\n      }\n    }\n    ... on ConflictError {\n      message\n      reason\n    }\n    ... on ForbiddenError {\n      message\n    }\n    ... on NotFoundError {\n      message\n    }\n  }\n}\n\nfragment callEditor_call on Call {\n  id\n  version\n  customFields(includeEmpty: true) {\n    fieldId\n    value\n    values\n    valid\n    field {\n      ...callEditor_definition\n      id\n    }\n  }\n}\n\nfragment callEditor_definition on CustomField {\n  id\n  name\n  type\n  editable\n  options\n  maxLength\n}\n"
  }
};
})();

(node as any).hash = "28cc799bd00f46d08cc85a54a1f69ed5";

export default node;
