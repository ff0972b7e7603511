/**
 * @generated SignedSource<<e6babafa807aac129a015b7a3d509442>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type CallDirection = "INBOUND" | "OUTBOUND" | "UNKNOWN" | "%future added value";
import { FragmentRefs } from "relay-runtime";
export type callList_row$data = {
  readonly direction: CallDirection;
  readonly duration: number;
  readonly fromNumber: string;
  readonly id: string;
  readonly setupTime: any;
  readonly toNumber: string;
  readonly " $fragmentType": "callList_row";
};
export type callList_row$key = {
  readonly " $data"?: callList_row$data;
  readonly " $fragmentSpreads": FragmentRefs<"callList_row">;
};

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": null,
  "name": "callList_row",
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
      "name": "setupTime",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "direction",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "fromNumber",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "toNumber",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "duration",
      "storageKey": null
    }
  ],
  "type": "Call",
  "abstractKey": null
};

(node as any).hash = "54e78b6f8fb955d86aa4d5503048f527";

export default node;
