/**
 * The closed loop as a town operator runs it in the command centre, in a real browser against the
 * real service in demo mode: the demo's gas leak, published by its simulator over MQTT, appears in
 * the task list (任务单) without a reload; the operator reaches it by keyboard and opens it, dispatches
 * it; the town's grid worker accepts it, uploads a photo and gives feedback (through the API: the
 * phone view is another test's); the operator, who sees the change arrive live, verifies and closes
 * it. The timeline in the UI shows every step and the record's integrity check says intact. axe-core
 * finds no serious or critical violation with the panel and the detail open. Screenshots go to
 * test-results/ops-*.png; any console error fails the test.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import type { Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { collectConsoleErrors, ensureWebBuilt, launchChromium, runAxe, shots } from './helpers/chromium.js';

describe('command centre: a town operator runs a clue through the closed loop', () => {
  const consoleErrors: string[] = [];
  let service: TestGridwatch | undefined;
  let gw: Gridwatch;
  let browser: Browser;
  let page: Page;
  let code: string;
  const tokens: Record<string, string> = {};

  const login = async (username: string) => {
    const cred = gw.demoCredentials.find((c) => c.username === username)!;
    const r = await api(`${gw.url}/api/v1/auth/login`, { body: { username: cred.username, password: cred.password } });
    assert.equal(r.status, 200, `${username} logs in`);
    tokens[username] = r.body.token;
    return r.body as { token: string; user: { username: string; displayName: string; role: string } };
  };
  const act = async (username: string, body: object) => {
    const r = await api(`${gw.url}/api/v1/clues/${code}/actions`, { token: tokens[username], body });
    assert.equal(r.status, 200, `${username}: ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
  };
  /** Acknowledges an urgent-clue alarm if the shell raised one, so it does not cover the panel. */
  const acknowledgeAlarms = async () => {
    for (const b of await page.locator('[role=alertdialog] button').all()) await b.click().catch(() => undefined);
  };

  before(async () => {
    ensureWebBuilt();
    service = await startTestGridwatch({ DEMO: '1' });
    gw = service.gw;
    const operator = await login('town-operator');
    await login('town-worker');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    collectConsoleErrors(page, consoleErrors);
    // Logged in as the login form would leave it (session.ts): the form is the shell's test.
    await page.addInitScript(
      ([token, user]) => {
        sessionStorage.setItem('gridwatch.token', token);
        sessionStorage.setItem('gridwatch.user', JSON.stringify(user));
      },
      [operator.token, { username: operator.user.username, displayName: operator.user.displayName, role: operator.user.role }] as const,
    );
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('shows the clue the simulator published over MQTT in the task list, without a reload', async () => {
    await page.goto(`${gw.url}/command`);
    await page.waitForSelector('.ops-panel [role=tab][aria-selected=true]', { timeout: 20_000 });
    assert.match(await page.locator('.ops-panel [role=tab]').first().innerText(), /任务单/);
    // A mark on the window: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
    await page
      .waitForSelector('.ops-panel .ops-rows button.ops-row[data-code]', { timeout: 120_000 })
      .catch(() => assert.fail('no task row within 120 s; the demo’s gas leak opens about 15 s after start'));
    assert.equal(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), true, 'the row came without a reload');
    await acknowledgeAlarms();
    code = (await page.locator('.ops-panel button.ops-row[data-code]').first().getAttribute('data-code'))!;
    const tasks = await api(`${gw.url}/api/v1/tasks`, { token: tokens['town-operator'] });
    assert.ok(
      tasks.body.tasks.some((x: { clue: { code: string } }) => x.clue.code === code),
      'the row is one of the operator’s tasks',
    );
    await page.screenshot({ path: path.join(shots, 'ops-task-list.png') });
  });

  it('opens the clue from the list by keyboard', async () => {
    await page.focus('.ops-panel input[type=search]');
    for (let i = 0; i < 40; i++) {
      if (await page.evaluate((c) => document.activeElement?.getAttribute('data-code') === c, code)) break;
      await page.keyboard.press('Tab');
    }
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-code')), code, 'Tab reaches the row');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/command/clue/${code}`, { timeout: 10_000 });
    await page.waitForSelector(`.ops-detail h2:text-is("${code}")`, { timeout: 10_000 });
    await page.waitForSelector('.ops-detail [data-field=status]', { timeout: 10_000 });
    assert.equal(await page.locator('.ops-detail [data-field=status]').innerText(), '新线索');
  });

  it('dispatches it from the detail, with exactly the actions the API allows', async () => {
    const { body } = await api(`${gw.url}/api/v1/clues/${code}`, { token: tokens['town-operator'] });
    const offered = await page.locator('.ops-action-buttons button[data-action]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-action')));
    assert.deepEqual(offered, [...body.nextActions, 'instruct'], 'the buttons are the API’s next actions, and issuing an instruction');
    await page.click('.ops-action-buttons button[data-action=dispatch]');
    await page.click('form[data-form=dispatch] button[type=submit]');
    await page.waitForSelector('.ops-detail [data-field=status]:text-is("已派遣")', { timeout: 10_000 });
    await page.screenshot({ path: path.join(shots, 'ops-dispatched.png') });
  });

  it('sees the worker’s acceptance, photo and feedback arrive live, then verifies and closes', async () => {
    await act('town-worker', { type: 'accept' });
    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 140, b: 200 } } })
      .jpeg()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'scene.jpg');
    const upload = await fetch(`${gw.url}/api/v1/clues/${code}/evidence`, { method: 'POST', headers: { authorization: `Bearer ${tokens['town-worker']}` }, body: form });
    assert.equal(upload.status, 201, await upload.clone().text());
    await act('town-worker', { type: 'feedback', note: '已关闭阀门，现场检测正常' });

    // No click: the live socket's diff makes the detail read the clue again.
    await page.waitForSelector('.ops-detail [data-field=status]:text-is("已反馈")', { timeout: 20_000 });
    await page.waitForSelector('.ops-evidence .ops-thumb img', { timeout: 10_000 });
    await page.click('.ops-evidence .ops-thumb');
    await page.waitForSelector('.ops-display img', { timeout: 10_000 });
    assert.match(await page.locator('.ops-display figcaption code').innerText(), /^[0-9a-f]{64}$/, 'the original’s SHA-256 is shown');

    await page.click('.ops-action-buttons button[data-action=verify]');
    await page.click('form[data-form=verify] button[type=submit]');
    await page.waitForSelector('.ops-detail [data-field=status]:text-is("已核查")', { timeout: 10_000 });
    await page.click('.ops-action-buttons button[data-action=close]');
    await page.click('form[data-form=close] button[type=submit]');
    await page.waitForSelector('.ops-detail [data-field=status]:text-is("已办结")', { timeout: 10_000 });

    const steps = await page.locator('.ops-timeline li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-action')));
    for (const step of ['opened', 'dispatch', 'accept', 'evidence.added', 'feedback', 'verify', 'close'])
      assert.ok(steps.includes(step), `the timeline shows ${step}: ${steps.join(', ')}`);
    const verdict = page.locator('.ops-verdict');
    assert.equal(await verdict.getAttribute('data-intact'), 'true');
    assert.match(await verdict.innerText(), /记录完整/);
    assert.equal(await page.locator(`.ops-panel button.ops-row[data-code="${code}"]`).count(), 0, 'the closed clue left the task list');
    await page.locator('.ops-detail').screenshot({ path: path.join(shots, 'ops-closed-detail.png') });
    await page.screenshot({ path: path.join(shots, 'ops-closed.png') });
  });

  it('has no serious or critical accessibility violation with the panel and the detail open', async () => {
    await page.click('.ops-action-buttons button[data-action=instruct]').catch(() => undefined);
    const violations = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`),
      [],
    );
  });

  it('logged no console error', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
