/**
 * The command centre's layout at every width a screen has, in real Chromium against the demo
 * service with no simulated traffic (issue 11's layout faults). With a clue's detail open, from
 * 390 to 1920 px wide and on both sides of each breakpoint (the stacked layout up to 720 px, the
 * detail beside the panel above it, the layer switch beside the detail from 962 px): the header,
 * the side panel and the detail lie wholly inside the viewport, none of them overlaps another or
 * the map's layer switch, and every control one can see in them is its own at its centre (nothing
 * covers it). Screenshots go to test-results/layout-<width>.png; any console error fails the test.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { loginAs, publishGasClues, shots, startRig, type RoleViewRig } from './helpers/role-view.js';

/** The widths checked: phones, the stacked layout's edge (720/721), the detail's old fault (721–812), where the layer switch comes back (961/962), desktops. */
const WIDTHS = [390, 414, 600, 719, 720, 721, 740, 760, 780, 800, 812, 813, 850, 900, 960, 961, 962, 1024, 1100, 1280, 1440, 1920];

/** The parts of the command centre whose boxes must stay apart, by selector. */
const PARTS = { header: 'header.bar', panel: '.ops-panel', detail: '.ops-detail', layers: '.layer-switch' } as const;

interface Layout {
  boxes: Partial<Record<keyof typeof PARTS, { left: number; top: number; right: number; bottom: number }>>;
  /** Controls seen in a part whose centre is covered by something else, one line each. */
  covered: string[];
}

/** The boxes of the parts shown now, and the visible controls in them that something covers. */
function layout(page: Page): Promise<Layout> {
  return page.evaluate((parts) => {
    const boxes: Layout['boxes'] = {};
    const covered: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    for (const [name, sel] of Object.entries(parts)) {
      const part = document.querySelector<HTMLElement>(sel);
      if (!part || !part.getClientRects().length) continue;
      const r = part.getBoundingClientRect();
      boxes[name as keyof typeof parts] = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
      for (const c of part.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [role=tab]')) {
        if (!c.getClientRects().length) continue;
        const b = c.getBoundingClientRect();
        const x = (b.left + b.right) / 2;
        const y = (b.top + b.bottom) / 2;
        // Only what one could see: inside the viewport and inside every scrolling box around it.
        let seen = x >= 0 && x < vw && y >= 0 && y < vh;
        for (let a = c.parentElement; seen && a && a !== document.body; a = a.parentElement) {
          const o = getComputedStyle(a);
          if (!/(auto|scroll|hidden)/.test(o.overflowY + o.overflowX)) continue;
          const ar = a.getBoundingClientRect();
          seen = x >= ar.left && x <= ar.right && y >= ar.top && y <= ar.bottom;
        }
        if (!seen) continue;
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(hit === c || c.contains(hit) || (c.tagName === 'INPUT' && hit.closest('label')?.contains(c))))
          covered.push(`${name}: ${c.tagName.toLowerCase()} "${(c.textContent || c.getAttribute('aria-label') || c.getAttribute('name') || '').trim().slice(0, 20)}" at ${Math.round(x)},${Math.round(y)} is under ${hit ? `${hit.tagName.toLowerCase()}.${String(hit.className).replace(/ /g, '.')}` : 'nothing'}`);
      }
    }
    return { boxes, covered };
  }, PARTS);
}

describe('command centre layout: header, side panel and clue detail at every width', () => {
  let rig: RoleViewRig;
  let code: string;

  before(async () => {
    rig = await startRig({ SIMULATORS: '0' });
    code = (await publishGasClues(rig)).u.code;
    await loginAs(rig, 'town-operator');
  });
  after(async () => {
    await rig?.close();
  });

  it('keeps the three inside the viewport and apart, with nothing over their controls, from 390 to 1920 px', async () => {
    const { page } = rig;
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${rig.gw.url}/command/clue/${encodeURIComponent(code)}`);
    await page.waitForSelector('.ops-detail .ops-actions button[data-action]', { timeout: 60_000 });
    await page.waitForSelector('.command-map .map canvas', { state: 'attached', timeout: 20_000 });
    const faults: string[] = [];
    for (const width of WIDTHS) {
      const height = width <= 720 ? 844 : 900;
      await page.setViewportSize({ width, height });
      // Two frames: the resize has been laid out and painted.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const { boxes, covered } = await layout(page);
      for (const need of ['header', 'panel', 'detail'] as const) if (!boxes[need]) faults.push(`${width}: no ${need}`);
      for (const [name, b] of Object.entries(boxes))
        if (b.left < -0.5 || b.top < -0.5 || b.right > width + 0.5 || b.bottom > height + 0.5)
          faults.push(`${width}: the ${name} leaves the viewport (${Math.round(b.left)},${Math.round(b.top)}–${Math.round(b.right)},${Math.round(b.bottom)} of ${width}×${height})`);
      const names = Object.keys(boxes) as (keyof typeof PARTS)[];
      for (let i = 0; i < names.length; i++)
        for (let j = i + 1; j < names.length; j++) {
          const a = boxes[names[i]!]!;
          const b = boxes[names[j]!]!;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 0.5 && h > 0.5) faults.push(`${width}: the ${names[i]} and the ${names[j]} overlap by ${Math.round(w)}×${Math.round(h)} px`);
        }
      faults.push(...covered.map((c) => `${width}: ${c}`));
      await page.screenshot({ path: path.join(shots, `layout-${width}.png`) });
    }
    assert.deepEqual(faults, []);
  });

  it('logged no console errors', () => {
    assert.deepEqual(rig.consoleErrors, []);
  });
});
