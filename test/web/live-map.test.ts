/**
 * The live map as an operator uses it, in a real browser against the real service in demo
 * mode: log in through the form, watch the simulators' clues arrive as points and list rows,
 * open one, read its routing reasons in Chinese and then in English, all under the service's
 * Content-Security-Policy with no violation, and see that another origin cannot frame it.
 * Screenshots go to test-results/ so a person can look at what the map really drew.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results');
/** docs/DESIGN.md §10: with these flags MapLibre and deck.gl render WebGL headless (SwiftShader). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

/** Builds web/dist when it is missing or older than its sources, so the test never checks a stale UI. */
function ensureWebBuilt(): void {
  const built = path.join(root, 'web/dist/index.html');
  const sources = [path.join(root, 'web/index.html'), path.join(root, 'web/vite.config.ts'), ...fs.readdirSync(path.join(root, 'web/src')).map((f) => path.join(root, 'web/src', f))];
  const newest = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest) return;
  execFileSync('npm', ['run', '--silent', 'web:build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

describe('live map: an operator logs in and follows clues in the browser', () => {
  const consoleErrors: string[] = [];
  /** Content-Security-Policy violations the page reported (securitypolicyviolation events). */
  const cspViolations: string[] = [];
  let service: TestGridwatch | undefined;
  let gw: Gridwatch;
  let browser: Browser;
  let page: Page;
  let adminToken: string;

  before(async () => {
    ensureWebBuilt();
    fs.mkdirSync(shots, { recursive: true });
    service = await startTestGridwatch({ DEMO: '1' });
    gw = service.gw;
    const admin = gw.demoCredentials.find((c) => c.role === 'admin')!;
    adminToken = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: admin.username, password: admin.password } })).body.token;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    page.on('pageerror', (e) => void consoleErrors.push(`page error: ${e.message}`));
    await page.exposeFunction('reportCspViolation', (v: string) => void cspViolations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
      });
    });
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('logs in through the form and shows the map of Ningbo with the simulators’ clues', async () => {
    const response = await page.goto(gw.url);
    assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/, 'the page is served under the CSP');
    const admin = gw.demoCredentials.find((c) => c.role === 'admin')!;
    await page.fill('#login-form input[name=username]', admin.username);
    await page.fill('#login-form input[name=password]', admin.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])', { timeout: 10_000 });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('gridwatch.token') !== null), true, 'the token is kept in sessionStorage');

    await page
      .waitForSelector('#clue-list li[data-code]', { timeout: 180_000 })
      .catch(() => assert.fail('no clue row within 180 s; the simulators raise the first clues within about a minute'));
    const webgl = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#map canvas.maplibregl-canvas');
      return c ? (c.getContext('webgl2') ?? c.getContext('webgl')) !== null : false;
    });
    assert.ok(webgl, 'MapLibre draws on a WebGL canvas');
    assert.ok((await page.locator('#map canvas').count()) >= 2, 'deck.gl adds its own canvas over the map');
    // The rows and the points come from one refresh; two frames later deck.gl has drawn them.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const shot = await page.locator('#map').screenshot({ path: path.join(shots, 'live-map-city.png') });
    const pixels = await countColours(page, shot.toString('base64'));
    assert.ok(pixels.districtLines > 500, `district boundaries drawn (${pixels.districtLines} px of their colour)`);
    assert.ok(pixels.land > 10_000 && pixels.sea > 10_000, `land filled over the background (${pixels.land} / ${pixels.sea} px)`);
    assert.ok(pixels.cluePoints > 20, `clue points drawn in severity colours (${pixels.cluePoints} px)`);
  });

  it('opens a clue from the list with its reasons in Chinese, then in English', async () => {
    const row = page.locator('#clue-list li[data-code]').first();
    const code = (await row.getAttribute('data-code'))!;
    const { body } = await api(`${gw.url}/api/v1/clues/${code}`, { token: adminToken });
    const reasons: { zh: string; en: string }[] = body.clue.reasons;

    await row.click();
    await page.waitForSelector(`#clue-detail:not([hidden]) .code:text-is("${code}")`, { timeout: 10_000 });
    assert.deepEqual(await page.locator('#clue-detail .reasons li').allTextContents(), reasons.map((r) => r.zh));
    assert.match(await page.locator('#clue-detail dl').innerText(), /执法事项[\s\S]*承办单位[\s\S]*处置时限[\s\S]*状态/);
    await page.screenshot({ path: path.join(shots, 'live-map-detail-zh.png') });

    await page.click('header .lang-toggle');
    await page.waitForSelector('#clue-detail h3:text-is("Routing reasons")', { timeout: 5000 });
    assert.deepEqual(await page.locator('#clue-detail .reasons li').allTextContents(), reasons.map((r) => r.en));
    assert.match(await page.locator('#clue-detail dl').innerText(), /Enforcement item[\s\S]*Responsible unit[\s\S]*Deadline[\s\S]*Status/);
    assert.equal(await page.locator('.side h2 span').innerText(), 'Newest clues');
    await page.screenshot({ path: path.join(shots, 'live-map-detail-en.png') });
  });

  it('opens a clue by clicking its point on the map, and follows its status', async () => {
    // The list click centred the map on that clue; close the panel and click the point itself.
    await page.click('#clue-detail button.close');
    await page.waitForSelector('#clue-detail[hidden]', { state: 'attached', timeout: 5000 });
    const box = (await page.locator('#map').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page
      .waitForSelector('#clue-detail:not([hidden]) .reasons li', { timeout: 10_000 })
      .catch(() => assert.fail('clicking the clue point at the map centre opened no detail'));
    const code = await page.locator('#clue-detail .code').innerText();
    assert.match(code, /^\d{6}-\d{8}-\d{4}$/);
    await page.screenshot({ path: path.join(shots, 'live-map-point.png') });

    // Someone escalates it to a case meanwhile (the demo may already have dispatched it): the open panel follows on a later refresh.
    const escalated = await api(`${gw.url}/api/v1/clues/${code}/actions`, { token: adminToken, body: { type: 'escalate', reason: '立案查处', procedure: 'normal' } });
    assert.equal(escalated.status, 200, JSON.stringify(escalated.body));
    await page
      .waitForSelector('#clue-detail dd:text-is("Escalated to a case")', { timeout: 20_000 })
      .catch(() => assert.fail(`the panel of ${code} did not show its new status within 20 s (refresh every 4 s)`));
  });

  it('shows a district operator only the clues of their district', async () => {
    // A fresh context has its own sessionStorage, so this is a second, separate login.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const op = await context.newPage();
    op.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
    try {
      const operator = gw.demoCredentials.find((c) => c.role === 'operator')!;
      const opToken = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: operator.username, password: operator.password } })).body.token;
      const visible = (await api(`${gw.url}/api/v1/clues?limit=50`, { token: opToken })).body.clues.length as number;
      await op.goto(gw.url);
      await op.fill('#login-form input[name=username]', operator.username);
      await op.fill('#login-form input[name=password]', operator.password);
      await op.click('#login-form button[type=submit]');
      // The status line is filled by the first refresh, after the list has been drawn.
      await op.waitForSelector('#feed-status:not(:empty)', { timeout: 30_000 });
      const codes = await op.locator('#clue-list li[data-code]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.code!));
      // The demo operator's scope is 鄞州区 (330212); clue codes start with their district's code.
      assert.deepEqual(codes.filter((c) => !c.startsWith('330212-')), [], 'no clue outside the operator’s district');
      assert.ok(codes.length >= visible, `the list shows what the API gives the operator (${codes.length} rows, API had ${visible})`);
    } finally {
      await context.close();
    }
  });

  it('cannot be framed by a page on another origin', async () => {
    // Another origin: the same host on another port, serving a page that frames the map.
    const framer = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>framer</title><p>another site</p><iframe id="gw" src="${gw.url}/" width="900" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext({ viewport: { width: 1000, height: 720 } });
    const other = await context.newPage();
    const refusals: string[] = [];
    other.on('console', (m) => void (/frame-ancestors/.test(m.text()) && refusals.push(m.text())));
    try {
      await other.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
      await other.waitForLoadState('load');
      const frame = other.frames().find((f) => f !== other.mainFrame());
      assert.ok(frame, 'the iframe exists');
      assert.equal(await frame.locator('#login-form').count(), 0, 'the map’s login form did not load inside the frame');
      assert.notEqual(frame.url(), `${gw.url}/`, `the frame did not stay on the service (${frame.url()})`);
      assert.ok(refusals.length > 0, 'Chromium refused the frame because of frame-ancestors');
      await other.screenshot({ path: path.join(shots, 'live-map-framed.png') });
    } finally {
      await context.close();
      await new Promise<void>((resolve) => framer.close(() => resolve()));
    }
  });

  it('logged no console errors (MapLibre’s worker loaded, every request answered)', () => {
    assert.deepEqual(consoleErrors, []);
  });

  it('ran under the CSP without a single violation (map, workers, WebGL, images)', () => {
    assert.deepEqual(cspViolations, []);
  });
});

/**
 * Counts screenshot pixels near the colours the map draws with (web/src/base-map.ts and
 * clue.ts), decoding the PNG in the page itself so the test needs no image library. (No named
 * helpers inside the page function: tsx would wrap them in a `__name` the page does not have.)
 */
async function countColours(page: Page, pngBase64: string) {
  const severities = [[120, 144, 156], [30, 136, 229], [251, 192, 45], [245, 124, 0], [211, 47, 47]];
  // [r, g, b, tolerance]: district lines (anti-aliased), district fill, background, severities.
  const targets = [[79, 95, 115, 24], [246, 244, 239, 2], [217, 226, 234, 2], ...severities.map((c) => [...c, 12])];
  const counts = await page.evaluate(
    async ({ b64, targets }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, img.width, img.height);
      const n = targets.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        const k = targets.findIndex(([r, g, b, tol]) => Math.abs(data[i]! - r!) <= tol! && Math.abs(data[i + 1]! - g!) <= tol! && Math.abs(data[i + 2]! - b!) <= tol!);
        if (k >= 0) n[k]!++;
      }
      return n;
    },
    { b64: pngBase64, targets },
  );
  const [districtLines = 0, land = 0, sea = 0, ...points] = counts;
  return { districtLines, land, sea, cluePoints: points.reduce((a, b) => a + b, 0) };
}
