/**
 * The command centre of the Preact shell, as the town operator uses it, in real Chromium against
 * the demo service: log in through the form, the map opens on the operator's town and the lists
 * show only its clues; the demo's gas leak, published by its simulator over MQTT, arrives on the
 * map and in the task list (任务单) without a reload. The boundary layers come as vector tiles
 * with the session's token: the town layer holds the operator's town alone, and the grid layer,
 * switched on, only that town's cells.
 * Switching to English leaves no untranslated key; at 390×844 the header stays one line and the
 * map takes the full width; a page on another origin cannot frame the app. Any console error or CSP
 * violation fails the test; screenshots go to test-results/command-*.png.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api } from '../helpers/app.js';
import { shots, startRig, untranslatedKeys, type RoleViewRig } from './helpers/role-view.js';

describe('command centre: the town operator', () => {
  let rig: RoleViewRig;
  let token: string;
  let town: string;
  /** Every boundary tile the page asked for: its layer and the answer's status. */
  const tiles: { layer: string; status: number }[] = [];
  const who = () => rig.gw.demoCredentials.find((c) => c.username === 'town-operator')!;

  before(async () => {
    rig = await startRig();
    const r = await api(`${rig.gw.url}/api/v1/auth/login`, { body: { username: who().username, password: who().password } });
    token = r.body.token;
    town = r.body.user.scopes[0];
    rig.page.on('response', (res) => {
      const m = /\/api\/v1\/tiles\/(\w+)\/\d+\/\d+\/\d+\.pbf$/.exec(res.url());
      if (m) tiles.push({ layer: m[1]!, status: res.status() });
    });
  });
  after(async () => {
    await rig?.close();
  });

  it('logs in through the form and lands on /command with its task list', async () => {
    const { page } = rig;
    await page.goto(`${rig.gw.url}/login`);
    await page.fill('input[name=username]', who().username);
    await page.fill('input[name=password]', who().password);
    await page.click('button[type=submit]');
    await page.waitForURL('**/command', { timeout: 20_000 });
    await page.waitForSelector('.ops-panel [role=tab][aria-selected=true]', { timeout: 20_000 });
    await page.waitForSelector('.command-map .map canvas', { timeout: 20_000 });
    // A mark on the window: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  });

  it('shows the clue published over MQTT on the map and in the task list without a reload, and only the town’s clues', async () => {
    const { page } = rig;
    await page
      .waitForSelector('.ops-panel button.ops-row[data-code]', { timeout: 150_000 })
      .catch(() => assert.fail('no task row within 150 s; the demo’s gas leak opens about 15 s after start'));
    assert.equal(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), true, 'the row came without a reload');
    const codes = await page.locator('.ops-panel button.ops-row[data-code]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-code')!));
    for (const c of codes) {
      const { status, body } = await api(`${rig.gw.url}/api/v1/clues/${c}`, { token });
      assert.equal(status, 200, `${c} is visible to the operator`);
      assert.equal(body.clue.townCode, town, `${c} lies in the operator’s town ${town}`);
    }
    await page.waitForFunction(() => Number(document.querySelector('.command-map .map')?.getAttribute('data-clues') || 0) > 0, null, { timeout: 20_000 });
    await page.screenshot({ path: path.join(shots, 'command-town-operator.png') });
  });

  it('draws the boundary layers from the scoped vector tiles: only the operator’s town, and its grid when switched on', async () => {
    const { page } = rig;
    /** The areas MapLibre decoded from the loaded tiles, per layer (the map's data-areas). */
    const areas = () =>
      page.evaluate(() =>
        Object.fromEntries(
          (document.querySelector('.command-map .map')?.getAttribute('data-areas') ?? '')
            .split(' ')
            .filter(Boolean)
            .map((x) => [x.split(':')[0]!, x.split(':')[1]!.split(',').filter(Boolean)]),
        ),
      );
    await page.waitForFunction(() => /(^| )town:\S/.test(document.querySelector('.command-map .map')?.getAttribute('data-areas') ?? ''), null, { timeout: 30_000 });
    const shown = await areas();
    assert.deepEqual(shown.town, [town], 'the town layer holds the operator’s town alone');
    assert.deepEqual(shown.district, [], 'a town operator sees no district outline (the district is not in their scope)');
    assert.ok(tiles.some((x) => x.layer === 'town' && x.status === 200), `a town tile was served (${JSON.stringify(tiles)})`);
    assert.deepEqual(tiles.filter((x) => ![200, 204, 304].includes(x.status)), [], 'every tile request succeeded (the bearer token went with it)');

    await page.getByRole('checkbox', { name: '网格' }).check();
    await page.waitForFunction(() => /(^| )grid:\S/.test(document.querySelector('.command-map .map')?.getAttribute('data-areas') ?? ''), null, { timeout: 30_000 });
    const grid = (await areas()).grid!;
    assert.ok(tiles.some((x) => x.layer === 'grid' && x.status === 200), 'grid tiles were served');
    // Every cell drawn lies in the operator's town: its community's parent is the town.
    const list = async (level: string) => (await api(`${rig.gw.url}/api/v1/jurisdictions?level=${level}`, { token })).body.items as { code: string; parentCode: string }[];
    const townOf = new Map((await list('community')).map((c) => [c.code, c.parentCode]));
    const cells = new Map((await list('grid')).map((c) => [c.code, c.parentCode]));
    assert.ok(cells.size > grid.length, 'the city has cells outside the town');
    assert.deepEqual(grid.filter((g) => townOf.get(cells.get(g) ?? '') !== town), [], `every drawn cell (${grid.length}) is in town ${town}`);
    await page.screenshot({ path: path.join(shots, 'command-grid-layer.png') });
    await page.getByRole('checkbox', { name: '网格' }).uncheck();
  });

  it('switches to English and back with no untranslated key', async () => {
    const { page } = rig;
    assert.deepEqual(await untranslatedKeys(page), [], 'zh-CN');
    await page.click('header .lang-toggle');
    await page.waitForSelector('.ops-panel [role=tab]:has-text("Tasks")', { timeout: 5000 });
    assert.deepEqual(await untranslatedKeys(page), [], 'en');
    await page.screenshot({ path: path.join(shots, 'command-en.png') });
    await page.click('header .lang-toggle');
    await page.waitForSelector('.ops-panel [role=tab]:has-text("任务单")', { timeout: 5000 });
  });

  it('at 390×844 keeps the header on one line and the map full width', async () => {
    const { page } = rig;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${rig.gw.url}/command`);
    await page.waitForSelector('.command-map .map canvas', { timeout: 20_000 });
    const header = (await page.locator('header.bar').boundingBox())!;
    const tops = await page.locator('header.bar > *').evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.ok(header.height <= 64, `the header is one line (${header.height} px high)`);
    assert.ok(Math.max(...tops) - Math.min(...tops) < 20, `the header's items share one row (tops ${tops.join(', ')})`);
    const map = (await page.locator('.command-map .map').boundingBox())!;
    assert.equal(Math.round(map.width), 390, `the map is full width (${map.width} px)`);
    assert.ok(map.height > 300, `the map has room (${map.height} px high)`);
    await page.screenshot({ path: path.join(shots, 'command-phone.png') });
  });

  it('cannot be framed by a page on another origin', async () => {
    // Another origin: the same host on another port, serving a page that frames the app.
    const framer = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>framer</title><p>another site</p><iframe id="gw" src="${rig.gw.url}/login" width="900" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    const other = await rig.browser.newPage();
    const refusals: string[] = [];
    other.on('console', (m) => void (/frame-ancestors/.test(m.text()) && refusals.push(m.text())));
    try {
      await other.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
      await other.waitForLoadState('load');
      const frame = other.frames().find((f) => f !== other.mainFrame());
      assert.ok(frame, 'the iframe exists');
      assert.equal(await frame.locator('input[name=password]').count(), 0, 'the login form did not load inside the frame');
      assert.ok(refusals.length > 0, 'Chromium refused the frame because of frame-ancestors');
      await other.screenshot({ path: path.join(shots, 'command-framed.png') });
    } finally {
      await other.close();
      await new Promise<void>((resolve) => framer.close(() => resolve()));
    }
  });

  it('logged no console errors', () => {
    assert.deepEqual(rig.consoleErrors, []);
  });
});
