/**
 * Issue 11 in real Chromium against the demo service with no simulated traffic: the town operator's
 * command centre and the town worker's phone view (390×844) have no serious or critical axe-core
 * violation on any view or tab, and every action is reachable by keyboard. Two clues are made by
 * publishing as the demo gas sensor gas-001 over MQTT: a tamper report (routine: it stays `new`
 * with the district's construction bureau, the town team co-notified, so the worker finds it near
 * them) and one reading of 60 %LEL (urgent: dispatched to the town team at once, so it is in the
 * town operator's task list and the worker's tasks).
 * The keyboard walk: Tab to the clue in the task list, Enter opens its detail with focus in it,
 * Tab reaches every action button, Enter opens an action's form, Escape closes the detail and
 * focus returns to the clue's row; then the tamper report is dispatched by keyboard from the
 * awaiting-dispatch list and focus stays in its detail, on the status line announcing the outcome. On the phone, "near me", opening a task and accepting it keep
 * focus on the page. The side panel's tabs follow the WAI-ARIA tabs
 * pattern (arrow keys, Home, End, one tab stop), focus rings are at least 2 px wide, and at
 * 390 px nothing in the header is wider than its box or off the screen, the task the tab counts
 * is a row one can see below the awaiting-dispatch list, and an open detail's top corners are
 * not covered by the map's layer switch.
 * Screenshots go to test-results/a11y-*.png; any console error or CSP violation fails the test.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { firstEpisodePosition } from '../../server/demo/demo-fleet.js';
import { api } from '../helpers/app.js';
import { loginAs, openPhone, publishGasClues, seriousViolations, shots, startRig, type RoleViewRig } from './helpers/role-view.js';

/** What has keyboard focus: tag, role, the clue code or action it carries, and its outline. */
interface Focused {
  tag: string;
  role: string | null;
  code: string | null;
  action: string | null;
  inDetail: boolean;
  outline: number;
  text: string;
}

function focused(page: Page): Promise<Focused | null> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    return {
      tag: e.tagName.toLowerCase(),
      role: e.getAttribute('role'),
      code: e.getAttribute('data-code'),
      action: e.getAttribute('data-action'),
      inDetail: !!e.closest('.ops-detail'),
      outline: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
      text: (e.textContent ?? '').trim().slice(0, 40),
    };
  });
}

/** Presses Tab until `done` says the focused element is the one wanted; fails after `max` presses. */
async function tabTo(page: Page, what: string, done: (f: Focused | null) => boolean, max = 80, key = 'Tab'): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    if (done(f)) return f!;
  }
  return assert.fail(`${what}: not reached with ${max} × ${key}`);
}

/** Everything in the header that is wider than its own box or lies outside the viewport, one line each. */
function headerOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('header.bar')!;
    const width = document.documentElement.clientWidth;
    const bad: string[] = [];
    for (const e of [bar, ...bar.querySelectorAll<HTMLElement>('*')]) {
      if (!e.getClientRects().length) continue;
      const name = `${e.tagName.toLowerCase()}${e.className ? `.${String(e.className).replace(/ /g, '.')}` : ''} "${(e.textContent ?? '').trim().slice(0, 20)}"`;
      if (e.scrollWidth > e.clientWidth && e.clientWidth > 0) bad.push(`${name} scrolls (${e.scrollWidth} > ${e.clientWidth})`);
      const r = e.getBoundingClientRect();
      if (r.left < -0.5 || r.right > width + 0.5) bad.push(`${name} off screen (${Math.round(r.left)}…${Math.round(r.right)} of ${width})`);
      // Clipped by the header itself: a child whose box runs past the bar's.
      const b = bar.getBoundingClientRect();
      if (e !== bar && (r.right > b.right + 0.5 || r.bottom > b.bottom + 0.5 || r.top < b.top - 0.5)) bad.push(`${name} outside the header`);
    }
    return bad;
  });
}

describe('accessibility: command centre and worker view by keyboard, with axe-core', () => {
  let rig: RoleViewRig;
  let tamper: string;
  let urgent: string;

  before(async () => {
    rig = await startRig({ SIMULATORS: '0' });
    const clues = await publishGasClues(rig);
    assert.equal(clues.t.status, 'new', 'the tamper report is routine: it waits for dispatch');
    tamper = clues.t.code;
    urgent = clues.u.code;
    await loginAs(rig, 'town-operator');
  });
  after(async () => {
    await rig?.close();
  });

  it('the command centre has no serious violation on any tab, and its tabs are WAI-ARIA tabs', async () => {
    const { page } = rig;
    await page.goto(`${rig.gw.url}/command`);
    await page.waitForSelector(`.ops-panel button.ops-row[data-code="${urgent}"]`, { timeout: 20_000 });
    await page.waitForSelector('.command-map .map canvas', { timeout: 20_000 });
    assert.deepEqual(await seriousViolations(page), [], 'tasks tab');
    await page.screenshot({ path: path.join(shots, 'a11y-command-tasks.png') });

    // One tab stop for the tab list: only the selected tab is in the Tab order.
    const stops = await page.locator('.ops-panel [role=tab]').evaluateAll((tabs) => tabs.map((t) => `${t.id}:${t.getAttribute('aria-selected')}:${(t as HTMLElement).tabIndex}`));
    assert.deepEqual(stops, ['ops-tab-tasks:true:0', 'ops-tab-instructions:false:-1', 'ops-tab-warnings:false:-1']);
    const tab = await tabTo(page, 'the selected tab', (f) => f?.role === 'tab');
    assert.ok(tab.outline >= 2, `the tab's focus ring is at least 2 px (${tab.outline})`);
    const selected = () => page.evaluate(() => [document.activeElement?.id, document.querySelector('.ops-panel [role=tab][aria-selected=true]')?.id]);
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await selected(), ['ops-tab-instructions', 'ops-tab-instructions']);
    await page.waitForSelector('.ops-panel ul[aria-label]', { timeout: 5000 });
    assert.deepEqual(await seriousViolations(page), [], 'instructions tab');
    await page.keyboard.press('End');
    assert.deepEqual(await selected(), ['ops-tab-warnings', 'ops-tab-warnings']);
    assert.deepEqual(await seriousViolations(page), [], 'warnings tab');
    await page.screenshot({ path: path.join(shots, 'a11y-command-warnings.png') });
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await selected(), ['ops-tab-tasks', 'ops-tab-tasks'], 'ArrowRight on the last tab wraps to the first');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await selected(), ['ops-tab-warnings', 'ops-tab-warnings'], 'ArrowLeft on the first tab wraps to the last');
    await page.keyboard.press('Home');
    assert.deepEqual(await selected(), ['ops-tab-tasks', 'ops-tab-tasks']);
  });

  it('at 390×844 nothing in the command centre header overflows or leaves the screen, the counted task is a visible row, and nothing covers an open detail', async () => {
    const { page } = rig;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${rig.gw.url}/command`);
    await page.waitForSelector('header.bar [data-testid=figures]', { timeout: 30_000 });
    await page.waitForSelector('.command-map .map canvas', { timeout: 20_000 });
    assert.deepEqual(await headerOverflow(page), []);
    assert.deepEqual(await seriousViolations(page), [], 'the command centre at 390 px');
    await page.screenshot({ path: path.join(shots, 'a11y-command-phone.png') });
    await page.locator('header.bar').screenshot({ path: path.join(shots, 'a11y-command-phone-header.png') });

    // The task counted on the tab is a row one can see (the list below the filters and the
    // awaiting-dispatch list, which holds the tamper report now, once had no height at all here):
    // scrolled to, its middle is itself.
    await page.waitForSelector(`.ops-queue button.ops-row[data-code="${tamper}"]`, { timeout: 10_000 });
    const row = page.locator(`.ops-panel ul[aria-label] button.ops-row[data-code="${urgent}"]`);
    await row.scrollIntoViewIfNeeded();
    assert.equal(await row.evaluate((b) => {
      const r = b.getBoundingClientRect();
      return !!document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest(`[data-code="${b.getAttribute('data-code')}"]`);
    }), true, 'the urgent task’s row is visible, not clipped to nothing');
    await page.screenshot({ path: path.join(shots, 'a11y-command-phone-task.png') });

    // An open detail lies above the map's controls: its corners are its own (the layer switch once covered the top-left).
    await row.click();
    await page.waitForSelector('.ops-detail .ops-actions button[data-action]', { timeout: 10_000 });
    const covered = await page.evaluate(() => {
      const r = document.querySelector('.ops-detail')!.getBoundingClientRect();
      return [[r.left + 4, r.top + 4], [r.right - 4, r.top + 4]].filter(([x, y]) => !document.elementFromPoint(x!, y!)?.closest('.ops-detail')).map(([x, y]) => `${x},${y}`);
    });
    assert.deepEqual(covered, [], 'nothing covers the detail’s top corners');
    await page.screenshot({ path: path.join(shots, 'a11y-command-phone-detail.png') });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('opens a clue from the list by keyboard, reaches every action and its form, and Escape returns to the row', async () => {
    const { page } = rig;
    await page.goto(`${rig.gw.url}/command`);
    await page.waitForSelector(`.ops-panel button.ops-row[data-code="${urgent}"]`, { timeout: 20_000 });
    const row = await tabTo(page, 'the urgent clue in the task list', (f) => f?.code === urgent && f.tag === 'button');
    assert.ok(row.outline >= 2, `the row's focus ring is at least 2 px (${row.outline})`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/command/clue/${urgent}`, { timeout: 5000 });
    await page.waitForSelector('.ops-detail .ops-actions button[data-action]', { timeout: 10_000 });
    assert.equal((await focused(page))?.inDetail, true, 'focus lands in the detail');

    const buttons = await page.locator('.ops-detail .ops-actions button[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')!));
    assert.ok(buttons.includes('transfer') && buttons.includes('instruct'), `the operator may transfer the task and instruct about it (actions: ${buttons.join(', ')})`);
    const reached = new Set<string>();
    for (let i = 0; i < 40 && reached.size < buttons.length; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f?.action && f.inDetail) {
        reached.add(f.action);
        assert.ok(f.outline >= 2, `${f.action}'s focus ring is at least 2 px (${f.outline})`);
      }
    }
    assert.deepEqual([...reached].sort(), [...buttons].sort(), 'Tab reaches every action button');
    assert.deepEqual(await seriousViolations(page), [], 'the clue detail');
    // The inset's map has loaded with the clue's dot (it once could stay a grey box without one).
    await page.waitForSelector('.ops-detail .ops-inset[data-ready=true] canvas', { timeout: 20_000 });
    await page.screenshot({ path: path.join(shots, 'a11y-command-detail.png') });

    // An action's form opens from the keyboard: back to the instruction button, Enter opens it, Tab reaches its fields.
    await tabTo(page, 'the instruct button', (f) => f?.action === 'instruct', 40, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ops-detail form[data-form=instruct]', { timeout: 5000 });
    assert.deepEqual(await seriousViolations(page), [], 'the instruction form');
    const select = await tabTo(page, 'the unit select', (f) => f?.tag === 'select' && f.inDetail, 5);
    assert.ok(select.outline >= 2, `the select's focus ring is at least 2 px (${select.outline})`);
    await page.screenshot({ path: path.join(shots, 'a11y-command-form.png') });

    await page.keyboard.press('Escape');
    await page.waitForURL('**/command', { timeout: 5000 });
    await page.waitForFunction((code) => document.activeElement?.getAttribute('data-code') === code, urgent, { timeout: 5000 });
    assert.equal((await focused(page))?.code, urgent, 'Escape returns focus to the clue in the list');

    // Submit an action by keyboard: open the tamper report from the awaiting-dispatch list above the
    // tasks, open its dispatch form, send it as routed. The form closes; focus must stay in the
    // detail, on the status line that announces the outcome, not fall to the page's body.
    await tabTo(page, 'the tamper report awaiting dispatch', (f) => f?.code === tamper && f.tag === 'button', 40, 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/command/clue/${tamper}`, { timeout: 5000 });
    await page.waitForSelector('.ops-detail .ops-actions button[data-action=dispatch]', { timeout: 10_000 });
    await tabTo(page, 'the dispatch button', (f) => f?.action === 'dispatch' && f.inDetail, 40);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ops-detail form[data-form=dispatch]', { timeout: 5000 });
    await tabTo(page, 'the dispatch form’s confirm button', (f) => f?.tag === 'button' && f.inDetail && /确认/.test(f.text), 20);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.ops-detail .ops-announce[data-done=dispatch]', { timeout: 10_000 });
    await page.waitForSelector('.ops-detail form[data-form=dispatch]', { state: 'detached', timeout: 5000 });
    const after = await page.evaluate(() => ({
      tag: document.activeElement?.tagName.toLowerCase(),
      inDetail: !!document.activeElement?.closest('.ops-detail'),
      role: document.activeElement?.getAttribute('role'),
      text: document.activeElement?.textContent?.trim(),
    }));
    assert.deepEqual(after, { tag: 'p', inDetail: true, role: 'status', text: '已派遣，当前状态：已派遣' }, 'after the submit, focus is on the status line in the detail');
    assert.equal(await page.locator('.ops-detail dd[data-field=status]').textContent(), '已派遣');
    assert.deepEqual(await seriousViolations(page), [], 'the detail after an action');
    await page.screenshot({ path: path.join(shots, 'a11y-command-after-action.png') });
    // The next Tab goes on inside the detail.
    await page.keyboard.press('Tab');
    assert.equal((await focused(page))?.inDetail, true, 'Tab after the status line stays in the detail');
  });

  describe('the town worker at 390×844', () => {
    let context: BrowserContext;
    let page: Page;
    let phoneErrors: string[] = [];
    before(async () => {
      const at = firstEpisodePosition();
      const phone = await openPhone(rig.browser, { geolocation: { latitude: at.lat - 0.002, longitude: at.lon - 0.002 } });
      ({ context, page, consoleErrors: phoneErrors } = phone);
      await loginAs(rig, 'town-worker', page);
    });
    after(async () => {
      await context?.close();
    });

    it('has no serious violation on the task list, near me and the task page, and the header fits', async () => {
      await page.goto(`${rig.gw.url}/worker`);
      await page.waitForSelector(`[data-testid=tasks] a[data-code="${urgent}"]`, { timeout: 20_000 });
      await page.waitForSelector('header.bar [data-testid=figures]', { timeout: 30_000 });
      assert.deepEqual(await headerOverflow(page), []);
      assert.deepEqual(await seriousViolations(page), [], 'my tasks');
      await page.screenshot({ path: path.join(shots, 'a11y-worker-tasks.png') });
    });

    it('"near me" and accept by keyboard keep focus on the page, not on the body', async () => {
      await page.goto(`${rig.gw.url}/worker`);
      await page.waitForSelector(`[data-testid=tasks] a[data-code="${urgent}"]`, { timeout: 20_000 });
      const near = await tabTo(page, 'the near-me button', (f) => f?.tag === 'button' && /附近|near me/i.test(f.text));
      assert.ok(near.outline >= 2, `the button's focus ring is at least 2 px (${near.outline})`);
      await page.keyboard.press('Enter');
      await page.waitForSelector(`[data-testid=nearby] a[data-code="${tamper}"]`, { timeout: 10_000 });
      assert.notEqual(await focused(page), null, 'after "near me", focus is not on the body');
      assert.deepEqual(await seriousViolations(page), [], 'near me');
      await page.screenshot({ path: path.join(shots, 'a11y-worker-near.png'), fullPage: true });
      // The next Tab goes on into the nearby clues.
      const next = await tabTo(page, 'a nearby clue', (f) => f?.tag === 'a', 3);
      assert.ok(next.code, 'a nearby clue row');

      // Open the urgent task from My tasks with the keyboard, and accept it.
      await page.goto(`${rig.gw.url}/worker`);
      await page.waitForSelector(`[data-testid=tasks] a[data-code="${urgent}"]`, { timeout: 20_000 });
      const link = await tabTo(page, 'the urgent task', (f) => f?.code === urgent);
      assert.ok(link.outline >= 2, `the task row's focus ring is at least 2 px (${link.outline})`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=accept]', { timeout: 10_000 });
      assert.notEqual(await focused(page), null, 'the task page takes focus');
      assert.deepEqual(await seriousViolations(page), [], 'the task page');
      await page.screenshot({ path: path.join(shots, 'a11y-worker-task.png') });
      await tabTo(page, 'accept', (f) => f?.tag === 'button' && /签收|Accept/.test(f.text), 10);
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-testid=task][data-status=accepted]', { timeout: 10_000 });
      await page.waitForSelector('[data-testid=accept]', { state: 'detached', timeout: 10_000 });
      assert.notEqual(await focused(page), null, 'after accept, focus is not on the body');
      await tabTo(page, 'start', (f) => f?.tag === 'button' && /开始|Start/.test(f.text), 3);
      await page.screenshot({ path: path.join(shots, 'a11y-worker-accepted.png') });
      assert.deepEqual(await seriousViolations(page), [], 'the accepted task');
    });

    it('logged no console error or CSP violation on the phone', () => {
      assert.deepEqual(phoneErrors, []);
    });
  });

  it('logged no console errors', () => {
    assert.deepEqual(rig.consoleErrors, []);
  });
});
