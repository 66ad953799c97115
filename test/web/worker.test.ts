/**
 * The grid worker's phone view in a real Chromium at 390×844 against the real service in demo
 * mode: the town operator dispatches a new clue to the town team through the API (or the demo's
 * automatic dispatch has sent one there already); the town worker
 * logs in through the form, finds it in "My tasks", accepts it, uploads a real JPEG (made with
 * sharp), and then, with the network cut, records a photo and a note as feedback: it is queued
 * and counted on screen, and once the network is back it is sent exactly once (checked through
 * the API). Screenshots go to test-results/worker-*.png. Any console error fails the test, except
 * the browser's own reports of requests refused while offline, which is the point of that step.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { filePickers, openPhone, photo, shots, startRig, type RoleViewRig } from './helpers/role-view.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker view: a grid worker takes a task on the phone, online and offline', () => {
  let consoleErrors: string[] = [];
  let offline = false;
  let rig: RoleViewRig | undefined;
  let gw: Gridwatch;
  let context: BrowserContext;
  let page: Page;
  let workerToken: string;
  let code: string;

  /** The clue's evidence count and its timeline's actions, as the API tells the worker. */
  async function record(): Promise<{ evidence: number; actions: string[]; status: string }> {
    const ev = await api(`${gw.url}/api/v1/clues/${code}/evidence`, { token: workerToken });
    const one = await api(`${gw.url}/api/v1/clues/${code}`, { token: workerToken });
    return { evidence: ev.body.evidence.length, actions: one.body.timeline.map((e: { action: string }) => e.action), status: one.body.clue.status };
  }

  before(async () => {
    rig = await startRig();
    gw = rig.gw;
    const cred = (u: string) => gw.demoCredentials.find((c) => c.username === u)!;
    const login = async (u: string) => (await api(`${gw.url}/api/v1/auth/login`, { body: { username: u, password: cred(u).password } })).body.token as string;
    const operatorToken = await login('town-operator');
    workerToken = await login('town-worker');
    const team = cred('town-worker').unitId!;

    // The simulators open clues within about a minute; the town operator dispatches a new one to the town team.
    for (const deadline = Date.now() + 180_000; !code && Date.now() < deadline; ) {
      const { body } = await api(`${gw.url}/api/v1/clues?status=new&limit=20`, { token: operatorToken });
      for (const c of body.clues ?? []) {
        const r = await api(`${gw.url}/api/v1/clues/${c.code}/actions`, { token: operatorToken, body: { type: 'dispatch', toUnitId: team } });
        if (r.status === 200) {
          code = c.code;
          break;
        }
      }
      // The demo dispatches urgent items' clues by itself (AUTO_DISPATCH): one of those waiting for acceptance serves as well.
      if (!code) {
        const tasks = await api(`${gw.url}/api/v1/tasks?status=dispatched`, { token: workerToken });
        const waiting = tasks.body.tasks?.find((x: { nextActions: string[] }) => x.nextActions.includes('accept'));
        if (waiting) code = waiting.clue.code;
      }
      if (!code) await sleep(2000);
    }
    assert.ok(code, 'a clue dispatched to the town team within 180 s');
    const clue = (await api(`${gw.url}/api/v1/clues/${code}`, { token: workerToken })).body.clue;

    // About 300 m south-west of the clue, so the navigation map has a line to draw. While offline
    // the browser itself reports each refused request (and the live socket's retries).
    const phone = await openPhone(rig.browser, {
      geolocation: { latitude: clue.position.lat - 0.002, longitude: clue.position.lon - 0.002 },
      ignore: (text) => offline && /ERR_INTERNET_DISCONNECTED|WebSocket connection to/.test(text),
    });
    ({ context, page, consoleErrors } = phone);
  });
  after(async () => {
    await rig?.close();
  });

  it('logs in as the town worker and lists the dispatched clue under My tasks', async () => {
    await page.goto(`${gw.url}/login`);
    await page.fill('input[name=username]', 'town-worker');
    await page.fill('input[name=password]', gw.demoCredentials.find((c) => c.username === 'town-worker')!.password);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/worker$/, { timeout: 10_000 });
    await page.waitForSelector(`[data-testid=tasks] a[data-code="${code}"]`, { timeout: 15_000 });
    assert.match(await page.locator('#tasks-h').innerText(), /我的任务/);
    // Phone-first: every button (the header's too) and task row is at least 44 px high, and nothing scrolls sideways.
    const small = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.bar button, .worker button, .worker a.task-row')].filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(small, [], 'touch targets of at least 44 px');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling at 390 px');
    await page.screenshot({ path: path.join(shots, 'worker-tasks.png') });
    assert.deepEqual(consoleErrors, []);
  });

  it('goes on duty and reports the phone position', async () => {
    const reported = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/position') && r.request().method() === 'POST', { timeout: 15_000 });
    await page.click('[data-testid=duty]');
    await page.waitForSelector('[data-testid=duty][aria-checked=true]');
    assert.equal((await reported).status(), 202);
    assert.match(await page.locator('[data-testid=duty]').innerText(), /在岗/);
    assert.deepEqual(consoleErrors, []);
  });

  it('opens the task, accepts it, and uploads a real JPEG from the camera input', async () => {
    await page.click(`[data-testid=tasks] a[data-code="${code}"]`);
    await page.waitForURL(new RegExp(`/worker/task/${code}$`));
    await page.waitForSelector('[data-testid=accept]');
    await page.click('[data-testid=accept]');
    await page.waitForSelector('[data-testid=task][data-status=accepted]', { timeout: 10_000 });
    assert.equal((await record()).status, 'accepted');
    assert.equal(await page.locator('input[type=file]').getAttribute('capture'), 'environment');
    assert.equal(await page.locator('input[type=file]').getAttribute('accept'), 'image/*');
    // The picker speaks Chinese: our button and "no file" text, not Chromium's English drawn by a visible native input.
    const picker = await filePickers(page);
    assert.deepEqual(picker.nativeDrawn, [], 'the native file input is visually hidden');
    assert.equal(picker.shown.length, 1);
    assert.match(picker.shown[0]!, /拍照取证 拍照或选择照片 未选择文件/);
    assert.doesNotMatch(picker.shown[0]!, /Choose file|No file chosen/);
    assert.ok((await page.locator('.file-pick-button').boundingBox())!.height >= 44, 'a 44 px touch target');
    // The hidden input still takes keyboard focus, and the focus shows on the button people see.
    await page.locator('input[type=file]').focus();
    assert.notEqual(await page.locator('.file-pick-button').evaluate((e) => getComputedStyle(e).outlineStyle), 'none');
    await page.locator('.file-pick').screenshot({ path: path.join(shots, 'worker-photo-pick.png') });

    await page.setInputFiles('input[type=file]', { name: 'scene-1.jpg', mimeType: 'image/jpeg', buffer: await photo(1) });
    assert.equal(await page.locator('[data-testid=file-chosen]').innerText(), 'scene-1.jpg');
    await page.click('[data-testid=save-photos]');
    await page.waitForSelector('[data-testid=task-message]:text-is("已发送")', { timeout: 15_000 });
    await page.waitForSelector('[data-testid=evidence] img', { timeout: 15_000 });
    assert.equal((await record()).evidence, 1);
    // The navigation map shows the straight-line distance from my position (about 290 m).
    assert.match(await page.locator('[data-testid=distance]').innerText(), /直线距离 \d{3} m/);
    await page.waitForSelector('.nav-map canvas.maplibregl-canvas', { timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, 'worker-task-accepted.png') });
    await page.locator('.nav').scrollIntoViewIfNeeded();
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    await page.locator('.nav').screenshot({ path: path.join(shots, 'worker-navigation.png') });
    assert.deepEqual(consoleErrors, []);
  });

  it('offline, queues a photo and a note as feedback with a visible count, and sends it exactly once when back online', async () => {
    offline = true;
    await context.setOffline(true);
    await page.setInputFiles('input[type=file]', { name: 'scene-2.jpg', mimeType: 'image/jpeg', buffer: await photo(2) });
    await page.fill('textarea[name=note]', '已清理现场，渣土已覆盖');
    await page.click('[data-testid=feedback]');
    await page.waitForSelector('[data-testid=outbox]', { timeout: 10_000 });
    assert.match(await page.locator('[data-testid=outbox]').innerText(), /^1 条待发送/);
    assert.match(await page.locator('[data-testid=task-message]').innerText(), /已保存/);
    await page.screenshot({ path: path.join(shots, 'worker-offline-queued.png') });
    const during = await record();
    assert.equal(during.evidence, 1, 'nothing reached the server while offline');
    assert.equal(during.status, 'accepted');

    await context.setOffline(false);
    offline = false;
    await page.waitForSelector('[data-testid=outbox]', { state: 'detached', timeout: 20_000 });
    await page.waitForSelector('[data-testid=task][data-status=feedback]', { timeout: 15_000 });
    assert.match(await page.locator('[data-testid=task-message]').innerText(), /离线记录已发送/);
    await page.screenshot({ path: path.join(shots, 'worker-back-online.png') });
    // A reload flushes the outbox again: it must find nothing left to send.
    await page.reload();
    await page.waitForSelector('[data-testid=task][data-status=feedback]', { timeout: 15_000 });
    const sent = await record();
    assert.equal(sent.status, 'feedback');
    assert.equal(sent.evidence, 2, 'the queued photo was uploaded once');
    assert.equal(sent.actions.filter((a) => a === 'feedback').length, 1, 'one feedback');
    assert.equal(sent.actions.filter((a) => a === 'evidence.added').length, 2, 'two attachments: the online one and the queued one');
    const timeline = (await api(`${gw.url}/api/v1/clues/${code}`, { token: workerToken })).body.timeline;
    assert.equal(timeline.find((e: { action: string }) => e.action === 'feedback').detail.note, '已清理现场，渣土已覆盖');
    assert.equal(await page.evaluate(() => indexedDB.databases().then((d) => d.some((x) => x.name === 'gridwatch-worker'))), true, 'the outbox lives in IndexedDB');
    assert.deepEqual(consoleErrors, []);
  });
});
