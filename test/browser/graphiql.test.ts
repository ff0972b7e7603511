import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/cli/commands.js';
import { DEMO_CALL_ID } from '../../src/core/vendor-examples.js';
import { createApp } from '../../src/http/app.js';
import type { CallStore } from '../../src/store/call-store.js';
import { browserTests, launchChromium, onlyLocalRequests } from '../support/browser.js';
import { openTestStore } from '../support/database.js';
import { serve } from '../support/http.js';

/** What each prefilled operation answers, as the top of the result pane shows it (whitespace removed). */
const EXAMPLES = [
  { operation: 'Call', pane: `{"data":{"call":{"id":"${DEMO_CALL_ID}"` },
  { operation: 'Calls', pane: '{"data":{"calls":{"totalCount":20,' },
  { operation: 'SetCallCustomFields', pane: '{"data":{"setCallCustomFields":{"__typename":"SetCallCustomFieldsSuccess","call":{' },
  { operation: 'History', pane: '{"data":{"call":{"history":{"edges":[{"node":{"at":' },
];

// The page is one 9 MB document: loading it takes seconds on a busy machine.
const PAGE_LOAD_MS = 45_000;

describe.skipIf(!browserTests)('GraphiQL in Chromium, on the demo data', () => {
  let store: CallStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let elsewhere: string[];
  let url: string;
  /** The server's answers to GET /graphql: status and the If-None-Match it was asked with. */
  const pageViews: { status: number; ifNoneMatch: string | undefined }[] = [];

  beforeAll(async () => {
    store = await openTestStore();
    const [seeded, launched] = await Promise.all([seedDemo(store, { calls: 20 }), launchChromium()]);
    browser = launched;
    const app = createApp({ store, logger: false });
    ({ url } = await serve({
      handleNode(req, res) {
        if (req.method === 'GET' && req.url === '/graphql') res.on('finish', () => pageViews.push({ status: res.statusCode, ifNoneMatch: req.headers['if-none-match'] }));
        app.handleNode(req, res);
      },
    }));
    const editor = seeded.users.find((user) => user.role === 'editor')!;
    context = await browser.newContext({ httpCredentials: { username: editor.username, password: editor.password } });
    elsewhere = await onlyLocalRequests(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the page (or reloads it) and waits until GraphiQL has fetched the schema. */
  async function load(open: () => Promise<unknown>) {
    const started = performance.now();
    await open();
    await page.locator('.graphiql-execute-button').waitFor({ timeout: PAGE_LOAD_MS });
    return Math.round(performance.now() - started);
  }

  /** Runs one operation of the document through the execute button's operation picker; answers what the result pane shows and what the server sent. */
  async function run(operation: string) {
    const answered = page.waitForResponse(
      (response) => response.url().endsWith('/graphql') && response.request().method() === 'POST' && response.request().postDataJSON()?.operationName === operation,
    );
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: operation, exact: true }).click();
    const response = await answered;
    const body = await response.json();
    const pane = page.locator('.graphiql-response .view-lines');
    await expect.poll(async () => (await pane.innerText()).replace(/\s+/g, '').length > 20).toBe(true);
    return { status: response.status(), body, pane: (await pane.innerText()).replace(/\s+/g, '') };
  }

  const tabs = async () => ({ count: await page.getByRole('tab').count(), selected: await page.locator('[role=tab][aria-selected=true]').count() });

  const variablesEditor = () => page.locator('.graphiql-editor-tool .graphiql-editor').first().locator('.view-lines').innerText();

  async function runEveryExample() {
    for (const example of EXAMPLES) {
      const { status, body, pane } = await run(example.operation);
      expect(status, example.operation).toBe(200);
      expect(body.errors, example.operation).toBeUndefined();
      expect(pane, example.operation).toContain(example.pane);
      expect(pane, example.operation).not.toContain('"errors"');
    }
  }

  it('runs each prefilled operation with its variables on first open', async () => {
    const ms = await load(() => page.goto(`${url}/graphql`));
    console.log(`GraphiQL first open: ${ms} ms`);
    expect(await variablesEditor()).toContain(DEMO_CALL_ID);
    await runEveryExample();
    const stored = await store.getCall((await store.findTenantByName('default'))!.id, DEMO_CALL_ID);
    const byName = Object.fromEntries(stored!.customFields.map((value) => [value.fieldId, value.value]));
    expect(byName).toMatchObject({ '138fb20c-4c3b-11ee-8cbb-0015172d2a7d': 'Unknown', '9079d60a-5192-11ee-aa89-0015172d2a7d': 'Sales call' });
    expect(await tabs()).toEqual({ count: 1, selected: 1 });
  });

  it('keeps one example tab, focused, after a reload, and its operations still run', async () => {
    const ms = await load(() => page.reload());
    console.log(`GraphiQL reload: ${ms} ms`);
    expect(await tabs()).toEqual({ count: 1, selected: 1 });
    expect(await variablesEditor()).toContain(DEMO_CALL_ID);
    await runEveryExample();
  });

  it('runs the Live subscription over SSE and shows a change arriving while it runs', async () => {
    const answered = page.waitForResponse((response) => response.url().endsWith('/graphql') && response.request().postDataJSON()?.operationName === 'Live');
    await page.locator('.graphiql-execute-button').click();
    await page.getByRole('menuitem', { name: 'Live', exact: true }).click();
    const response = await answered;
    expect(response.headers()['content-type']).toContain('text/event-stream');
    // A change made elsewhere (here: through the store, as a REST write by the editor) appears in the result pane.
    const tenantId = (await store.findTenantByName('default'))!.id;
    const editor = (await store.findUserByUsername('editor'))!;
    const changed = await store.setCallCustomFields({
      tenantId,
      callId: DEMO_CALL_ID,
      userId: editor.id,
      now: new Date().toISOString(),
      origin: { actor: { userId: editor.id, username: 'editor', tokenId: null }, channel: 'rest', requestId: null, clientAddress: null },
      decide: (fields) => ({ ok: true, changes: [{ fieldId: fields.find((f) => f.name === 'Payment status')!.fieldId, value: 'Paid' }] }),
    });
    expect(changed.kind).toBe('updated');
    const pane = page.locator('.graphiql-response .view-lines');
    await expect.poll(async () => (await pane.innerText()).replace(/\s+/g, ''), { timeout: 15_000 }).toContain('"newValue":"Paid"');
    // The button now stops the stream.
    await page.locator('.graphiql-execute-button').click();
  });

  it('asks no other host for anything', () => {
    expect(elsewhere).toEqual([]);
  });

  // Playwright turns Chromium's cache off while it answers auth challenges or routes requests, so this page has neither.
  it('is revalidated on a reload: Chromium asks with its ETag and gets 304', async () => {
    const anonymous = await browser.newContext();
    const plain = await anonymous.newPage();
    pageViews.length = 0;
    await plain.goto(`${url}/graphql`);
    await plain.locator('.graphiql-execute-button').waitFor({ timeout: PAGE_LOAD_MS });
    await plain.reload();
    await plain.locator('.graphiql-execute-button').waitFor({ timeout: PAGE_LOAD_MS });
    await anonymous.close();
    expect(pageViews).toEqual([
      { status: 200, ifNoneMatch: undefined },
      { status: 304, ifNoneMatch: expect.stringMatching(/^"[\w-]+-br"$/) },
    ]);
  });
});
