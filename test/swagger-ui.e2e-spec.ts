import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Database } from '../libs/store/src/sql/database';
import { closeTestDatabase, openTestDatabase } from '../libs/store/src/sql/test-database';
import { ADMIN_KEY, startStack, type Stack } from './support/stack';

// What a new user does first: open /docs, Authorize, and press "Try it out" then "Execute" on each
// /v1 operation with what the page pre-fills. Each must answer 200.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `\n*** Swagger UI browser test SKIPPED: no Chromium at ${CHROMIUM}.\n` +
      '*** Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH. CI always runs it.\n',
  );
}
const browserIt = haveChromium ? it : it.skip;

/** Where the test leaves its screenshots, to look at when it fails. */
const SHOTS = join(tmpdir(), 'switchyard-swagger-ui');

describe('Swagger UI "Try it out"', () => {
  let stack: Stack;
  let db: Database;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    // With a database, as `npm start` runs: the usage endpoints read the ledger there.
    db = await openTestDatabase();
    stack = await startStack({
      database: db,
      backends: [
        { name: 'local', protocol: 'ollama', models: ['llama3.2', 'nomic-embed-text'] },
        { name: 'cloud', protocol: 'openai', tier: 'cloud', models: ['gpt-4o-mini'] },
      ],
      models: [
        {
          name: 'chat',
          targets: [
            { backend: 'local', model: 'llama3.2' },
            { backend: 'cloud', model: 'gpt-4o-mini' },
          ],
        },
        { name: 'embed', targets: [{ backend: 'local', model: 'nomic-embed-text' }] },
      ],
    });
    if (!haveChromium) return;
    mkdirSync(SHOTS, { recursive: true });
    // Playwright gives every launch a fresh, temporary user-data-dir.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
      timeout: 20_000,
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.setDefaultTimeout(10_000);
    // Everything the page loads comes from the gateway itself.
    await page.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
    await page.goto(`${stack.url}/docs`);
    await page.locator('.swagger-ui .auth-wrapper button.authorize').click();
    const bearer = page.locator('.auth-container').filter({ hasText: 'bearer' });
    await bearer.locator('input').fill(ADMIN_KEY);
    await bearer.locator('button.authorize').click();
    await page.locator('.dialog-ux button.close-modal').click();
  }, 40_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (db) await closeTestDatabase(db);
  });

  /** Expands one operation, presses Try it out and Execute as they come, and returns the status shown. */
  async function tryItOut(method: string, path: string): Promise<{ status: string; body: string }> {
    const op = page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const live = op.locator('.live-responses-table .response').first();
    const status = (await live.locator('.response-col_status').innerText()).trim();
    const body = await live.locator('.response-col_description').innerText();
    await op.screenshot({ path: join(SHOTS, `${method}${path.replace(/[^a-z0-9]+/gi, '-')}.png`) });
    return { status, body };
  }

  browserIt('answers 200 to the pre-filled example of POST /v1/chat/completions', async () => {
    const { status, body } = await tryItOut('post', '/v1/chat/completions');
    expect({ status, body: body.slice(0, 300) }).toEqual({ status: '200', body: expect.stringContaining('chat.completion') });
  });

  browserIt('answers 200 to the pre-filled example of POST /v1/embeddings', async () => {
    const { status, body } = await tryItOut('post', '/v1/embeddings');
    expect({ status, body: body.slice(0, 300) }).toEqual({ status: '200', body: expect.stringContaining('embedding') });
  });

  browserIt(
    'answers 200 for every other /v1 operation the document lists',
    async () => {
      const doc = (await (await fetch(`${stack.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const others = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/v1/'))
        .flatMap(([path, item]) => Object.keys(item).map((method) => ({ method, path })))
        .filter(({ method, path }) => !(method === 'post' && ['/v1/chat/completions', '/v1/embeddings'].includes(path)));
      expect(others.length).toBeGreaterThanOrEqual(3);
      const results: Record<string, string> = {};
      for (const { method, path } of others) results[`${method} ${path}`] = (await tryItOut(method, path)).status;
      expect(results).toEqual(Object.fromEntries(others.map(({ method, path }) => [`${method} ${path}`, '200'])));
    },
    40_000,
  );
});
