import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (package "chromium"); the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser tests can run (use with `describe.skipIf(!browserTests)`).
 * Without Chromium they are skipped, loudly; with REQUIRE_BROWSER=1 (CI) they
 * run and fail instead.
 */
export const browserTests: boolean = (() => {
  if (existsSync(CHROMIUM) || process.env.REQUIRE_BROWSER === '1') return true;
  console.warn(`SKIPPING browser tests: ${CHROMIUM} is missing. Install Debian's "chromium" package (apt-get install chromium); REQUIRE_BROWSER=1 makes this a failure.`);
  return false;
})();

/** Headless Chromium from the system package. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing and REQUIRE_BROWSER=1: install Debian's "chromium" package (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Lets a context's pages reach 127.0.0.1 only: every other request (any
 * scheme the browser routes, e.g. http, https, ws) is aborted and its URL
 * recorded, so a test can assert the list is empty.
 */
export async function onlyLocalRequests(context: BrowserContext): Promise<string[]> {
  const elsewhere: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    elsewhere.push(url.href);
    return route.abort('blockedbyclient');
  });
  return elsewhere;
}
