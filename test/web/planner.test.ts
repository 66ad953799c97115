/**
 * The planner's screen in a real browser against the demo service: the H3 hotspot layer over
 * clues spread across several days, played bucket by bucket with the time slider; the
 * efficiency table and the catalogue evaluation; axe-core on each view; English with no
 * untranslated key. Screenshots go to test-results/.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loginAs, seriousViolations, shots, startRig, untranslatedKeys, type RoleViewRig } from './helpers/role-view.js';

describe('planner: hotspot layers, efficiency and evaluation in the browser', () => {
  let rig: RoleViewRig;

  before(async () => {
    rig = await startRig();
    await loginAs(rig, 'planner');
    // The simulators open clues now; spread them over the last five days so the period has
    // one bucket per clue to play (the hotspots API buckets by opened_at).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await rig.gw.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM clues WHERE h3_r9 IS NOT NULL');
      if (rows[0]!.n >= 2) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0]!.n} located clues after 120 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await rig.gw.db.pool.query(
      `UPDATE clues AS c SET opened_at = c.opened_at - r.k * interval '1 day'
         FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM clues WHERE h3_r9 IS NOT NULL) AS r
        WHERE r.id = c.id`,
    );
  });
  after(async () => {
    await rig?.close();
  });

  it('draws the H3 hotspot layer and the time slider plays it bucket by bucket', async () => {
    const { page } = rig;
    await page.goto(`${rig.gw.url}/planner/hotspots`);
    const section = page.locator('.hotspots');
    await section.waitFor();
    await page.waitForFunction(() => Number(document.querySelector('.hotspots')?.getAttribute('data-cells') ?? 0) > 0, undefined, { timeout: 30_000 });
    await page.locator('.planner-map canvas').first().waitFor();
    const first = await section.getAttribute('data-bucket');
    assert.ok(first, 'a bucket is drawn');
    await page.screenshot({ path: path.join(shots, 'planner-hotspots.png') });

    const seen = new Set([first]);
    await page.getByRole('button', { name: /播放/ }).click();
    await page.waitForFunction((b) => document.querySelector('.hotspots')?.getAttribute('data-bucket') !== b, first, { timeout: 15_000 });
    seen.add((await section.getAttribute('data-bucket')) ?? '');
    assert.equal(seen.size, 2, `the slider played from ${first} to another bucket`);
    await page.screenshot({ path: path.join(shots, 'planner-hotspots-played.png') });
    await page.getByRole('button', { name: /暂停/ }).click();
    assert.deepEqual(await seriousViolations(page), [], 'axe: no serious or critical violation on the hotspots view');
  });

  it('shows efficiency as a sortable table with a chart, and the catalogue evaluation', async () => {
    const { page } = rig;
    await page.getByRole('tab', { name: '处置效能' }).click();
    await page.waitForURL(/\/planner\/efficiency$/);
    const table = page.locator('.efficiency table');
    await table.waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.efficiency tbody tr').length > 0, undefined, { timeout: 15_000 });
    await page.getByRole('button', { name: /线索数/ }).click();
    assert.equal(await page.locator('th[aria-sort="ascending"]').count(), 1, 'sorted ascending by the clicked column');
    await page.screenshot({ path: path.join(shots, 'planner-efficiency.png') });
    assert.deepEqual(await seriousViolations(page), [], 'axe on efficiency');

    await page.goto(`${rig.gw.url}/planner/evaluation`);
    await page.locator('.evaluation table').waitFor();
    await page.locator('.evaluation .note').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, 'planner-evaluation.png') });
    assert.deepEqual(await seriousViolations(page), [], 'axe on evaluation');
  });

  it('switches to English with no untranslated key, and reports no console error', async () => {
    const { page } = rig;
    for (const tab of ['hotspots', 'efficiency', 'evaluation']) {
      await page.goto(`${rig.gw.url}/planner/${tab}`);
      await page.locator('.view-panel').waitFor();
      assert.deepEqual(await untranslatedKeys(page), [], `zh-CN ${tab}`);
    }
    await page.getByRole('button', { name: /English/ }).first().click();
    await page.getByRole('tab', { name: 'Hotspots' }).waitFor();
    for (const tab of ['hotspots', 'efficiency', 'evaluation']) {
      await page.goto(`${rig.gw.url}/planner/${tab}`);
      await page.locator('.view-panel').waitFor();
      await page.getByRole('tab', { name: 'Hotspots' }).waitFor();
      assert.deepEqual(await untranslatedKeys(page), [], `en ${tab}`);
    }
    await page.screenshot({ path: path.join(shots, 'planner-en.png') });
    assert.deepEqual(rig.consoleErrors, []);
  });
});
