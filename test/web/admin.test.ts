/**
 * The administrator's screen in a real browser against the demo service: import a zones file
 * with a duplicate code (a fatal problem, so nothing changes) and see the problem in the report
 * list and highlighted on the map; walk the other tabs; axe-core on each; English with no
 * untranslated key. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { filePickers, loginAs, seriousViolations, shots, startRig, untranslatedKeys, type RoleViewRig } from './helpers/role-view.js';

const TABS = ['imports', 'catalogue', 'devices', 'dead-letters', 'users'];

/** Two no-parking zones in central Ningbo that share the code NP-DUP: the import must refuse it. */
function duplicateZones(): string {
  const box = (x: number, y: number) => [[[x, y], [x + 0.004, y], [x + 0.004, y + 0.003], [x, y + 0.003], [x, y]]];
  const zone = (x: number, y: number, name: string) => ({
    type: 'Feature',
    properties: { code: 'NP-DUP', name, type: 'no-parking', attrs: { roadKind: 'road', dwellLimitS: 300 } },
    geometry: { type: 'Polygon', coordinates: box(x, y) },
  });
  return JSON.stringify({ type: 'FeatureCollection', features: [zone(121.55, 29.87, '中山东路禁停区'), zone(121.56, 29.875, '解放南路禁停区')] });
}

describe('admin: imports with the report on the map, versions, devices, dead letters, users', () => {
  let rig: RoleViewRig;

  before(async () => {
    rig = await startRig();
    await loginAs(rig, 'admin');
  });
  after(async () => {
    await rig?.close();
  });

  it('imports a boundary file with a problem and shows the problem in the report and on the map', async () => {
    const { page } = rig;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-admin-')), 'zones-duplicate.geojson');
    fs.writeFileSync(file, duplicateZones());
    await page.goto(`${rig.gw.url}/admin/imports`);
    await page.locator('.imports form').waitFor();
    await page.locator('select[name=layer]').selectOption('zones');
    const picker = await filePickers(page);
    assert.deepEqual(picker.nativeDrawn, [], 'the native file input is visually hidden');
    assert.deepEqual(picker.shown, ['GeoJSON 文件 选择文件 未选择文件'], 'the picker in Chinese, not Chromium\'s "Choose file"');
    await page.locator('input[type=file]').setInputFiles(file);
    assert.equal(await page.locator('[data-testid=file-chosen]').innerText(), 'zones-duplicate.geojson');
    await page.getByRole('button', { name: '校验并导入' }).click();
    const problem = page.locator('.problem-list li[data-kind="duplicate-code"]');
    await problem.waitFor({ timeout: 20_000 });
    assert.match(await problem.innerText(), /编码重复/);
    assert.match(await problem.innerText(), /NP-DUP/);
    const map = page.locator('.admin-map');
    await page.waitForFunction(() => Number(document.querySelector('.admin-map')?.getAttribute('data-problem-features') ?? 0) >= 2);
    assert.equal(await map.getAttribute('data-problem-features'), '2', 'both features with the duplicate code are highlighted');
    await page.locator('.admin-map canvas').first().waitFor();
    await page.waitForTimeout(500); // let the fitted map draw one frame before the screenshot
    await page.screenshot({ path: path.join(shots, 'admin-import-problem.png') });
    assert.deepEqual(await seriousViolations(page), [], 'axe on imports');
    // Chromium logs every 4xx answer as a console error; this 422 (the file refused) is the one the test asked for.
    const refused = rig.consoleErrors.filter((e) => /status of 422/.test(e));
    assert.equal(refused.length, 1);
    rig.consoleErrors.splice(rig.consoleErrors.indexOf(refused[0]!), 1);
  });

  it('opens every other tab with data and no serious accessibility violation', async () => {
    const { page } = rig;
    for (const tab of TABS.slice(1)) {
      await page.goto(`${rig.gw.url}/admin/${tab}`);
      await page.locator('.view-panel').waitFor();
      if (tab !== 'dead-letters') await page.waitForFunction(() => document.querySelectorAll('.view-panel li, .view-panel tbody tr').length > 0, undefined, { timeout: 15_000 });
      await page.screenshot({ path: path.join(shots, `admin-${tab}.png`) });
      assert.deepEqual(await seriousViolations(page), [], `axe on ${tab}`);
    }
  });

  it('fits a phone: no tab makes the page scroll sideways at 390 px (wide tables scroll in their own box)', async () => {
    const { page } = rig;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const tab of TABS) {
        await page.goto(`${rig.gw.url}/admin/${tab}`);
        await page.locator('.view-panel').waitFor();
        if (tab !== 'dead-letters') await page.waitForFunction(() => document.querySelectorAll('.view-panel li, .view-panel tbody tr').length > 0, undefined, { timeout: 15_000 });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 390) wide.push(`${tab}: ${width} px`);
      }
      await page.goto(`${rig.gw.url}/admin/imports`);
      await page.locator('.imports tbody tr').first().waitFor();
      await page.screenshot({ path: path.join(shots, 'admin-imports-phone.png') });
      assert.deepEqual(wide, []);
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it('registers a device and shows its token once', async () => {
    const { page } = rig;
    await page.goto(`${rig.gw.url}/admin/devices`);
    await page.locator('.devices form').waitFor();
    await page.getByLabel('设备编号').first().fill('gas-admin-ui-1');
    await page.getByRole('button', { name: '注册设备' }).click();
    const token = page.locator('.token-once code');
    await token.waitFor({ timeout: 10_000 });
    assert.ok((await token.innerText()).length >= 16, 'a token is shown');
    await page.getByRole('button', { name: '已保存' }).click();
    assert.equal(await page.locator('.token-once').count(), 0, 'and then gone');
  });

  it('switches to English with no untranslated key, and reports no console error', async () => {
    const { page } = rig;
    for (const tab of TABS) {
      await page.goto(`${rig.gw.url}/admin/${tab}`);
      await page.locator('.view-panel').waitFor();
      assert.deepEqual(await untranslatedKeys(page), [], `zh-CN ${tab}`);
    }
    await page.getByRole('button', { name: /English/ }).first().click();
    for (const tab of TABS) {
      await page.goto(`${rig.gw.url}/admin/${tab}`);
      await page.getByRole('tab', { name: 'Devices' }).waitFor();
      assert.deepEqual(await untranslatedKeys(page), [], `en ${tab}`);
    }
    await page.screenshot({ path: path.join(shots, 'admin-en.png') });
    await page.goto(`${rig.gw.url}/admin/imports`);
    await page.locator('.imports form').waitFor();
    assert.deepEqual((await filePickers(page)).shown, ['GeoJSON file Choose file No file chosen'], 'the picker follows the switch');
    assert.deepEqual(rig.consoleErrors, []);
  });
});
