/**
 * @generated SignedSource<<3a9c60e931165df09672936e5a32d526>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type CustomFieldType = "BOOLEAN" | "DATE" | "MULTISELECT" | "NUMBER" | "OPTION" | "TEXT" | "%future added value";
import { FragmentRefs } from "relay-runtime";
export type callEditor_definition$data = {
  readonly editable: boolean;
  readonly id: string;
  readonly maxLength: number | null | undefined;
  readonly name: string;
  readonly options: ReadonlyArray<string> | null | undefined;
  readonly type: CustomFieldType;
  readonly " $fragmentType": "callEditor_definition";
};
export type callEditor_definition$key = {
  readonly " $data"?: callEditor_definition$data;
  readonly " $fragmentSpreads": FragmentRefs<"callEditor_definition">;
};

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": null,
  "name": "callEditor_definition",
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
  "type": "CustomField",
  "abstractKey": null
};

(node as any).hash = "f97cb93fe19b8810abe13d2203725759";

export default node;
