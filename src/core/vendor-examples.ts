/** The custom fields in the vendor's documentation, with their exact UUIDs. */
export const VENDOR_EXAMPLE_FIELDS = [
  { fieldId: '138fb20c-4c3b-11ee-8cbb-0015172d2a7d', name: 'Payment status' },
  { fieldId: '9079d60a-5192-11ee-aa89-0015172d2a7d', name: 'Call type' },
] as const;

/** The first call of the demo data set, used by the examples in GraphiQL and the README. */
export const DEMO_CALL_ID = '5f0c6d2e-8a4b-4c1d-9e3f-2a7b8c9d0e1f';
