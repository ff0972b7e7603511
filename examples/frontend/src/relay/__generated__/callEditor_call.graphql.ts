/**
 * @generated SignedSource<<47a75967d0f3fadd576d6e1392ae5cc9>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type callEditor_call$data = {
  readonly customFields: ReadonlyArray<{
    readonly field: {
      readonly " $fragmentSpreads": FragmentRefs<"callEditor_definition">;
    };
    readonly fieldId: string;
    readonly valid: boolean;
    readonly value: string | null | undefined;
    readonly values: ReadonlyArray<string> | null | undefined;
  }>;
  readonly id: string;
  readonly version: any;
  readonly " $fragmentType": "callEditor_call";
};
export type callEditor_call$key = {
  readonly " $data"?: callEditor_call$data;
  readonly " $fragmentSpreads": FragmentRefs<"callEditor_call">;
};

import callEditorRefetchQuery_graphql from './callEditorRefetchQuery.graphql';

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": callEditorRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "callEditor_call",
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "id",
      "storageKey": null
    },
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
            {
              "args": null,
              "kind": "FragmentSpread",
              "name": "callEditor_definition"
            }
          ],
          "storageKey": null
        }
      ],
      "storageKey": "customFields(includeEmpty:true)"
    }
  ],
  "type": "Call",
  "abstractKey": null
};

(node as any).hash = "f268810a9fa0a71087cdb3502a2f6374";

export default node;
