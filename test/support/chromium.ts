/**
 * Debian's Chromium, driven by playwright-core, for the tests that render a page: never a browser of playwright's own
 * (it cannot be downloaded here). `npm test` installs it first when it is missing (scripts/test-prerequisites.js).
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless browser with a fresh profile and none of the background traffic this closed network refuses. */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
