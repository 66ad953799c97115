/**
 * Browser set-up shared by the role-view tests (command centre, worker, closed loop, planner, admin) (the same flags as DESIGN.md §10,
 * made reusable): build web/dist when stale, start the demo service, open Chromium with the
 * SwiftShader flags, collect console errors, log in by planting the session the login form
 * would store, run axe-core, and look for untranslated message keys.
 */
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { firstEpisodePosition } from '../../../server/demo/demo-fleet.js';
import type { Gridwatch } from '../../../server/runtime.js';
import { api } from '../../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../../helpers/gridwatch.js';
import { waitFor } from '../../ingest/mqtt-kafka-support.js';

export const root = path.resolve(import.meta.dirname, '../../..');
export const shots = path.join(root, 'test-results');
/** docs/DESIGN.md §10: with these flags MapLibre and deck.gl render WebGL headless (SwiftShader). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader', '--use-angle=swiftshader'];

/** Newest modification time under `dir`, recursively (the views live in subfolders of web/src). */
function newest(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** Builds web/dist when it is missing or older than its sources or messages. */
export function ensureWebBuilt(): void {
  const built = path.join(root, 'web/dist/index.html');
  const sources = Math.max(newest(path.join(root, 'web/src')), fs.existsSync(path.join(root, 'web/messages')) ? newest(path.join(root, 'web/messages')) : 0, fs.statSync(path.join(root, 'web/index.html')).mtimeMs);
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  execFileSync('npm', ['run', '--silent', 'web:build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A running demo service, a browser and a page whose console errors and CSP violations are collected. */
export interface RoleViewRig {
  gw: Gridwatch;
  browser: Browser;
  page: Page;
  consoleErrors: string[];
  close(): Promise<void>;
}

/**
 * Collects `page`'s console errors, uncaught errors and CSP violations into `errors`, except the
 * console lines `ignore` accepts (e.g. the browser's own reports while a test has cut the network).
 */
export async function collectErrors(page: Page, errors: string[], ignore: (text: string) => boolean = () => false): Promise<void> {
  page.on('console', (m) => void (m.type() === 'error' && !ignore(m.text()) && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(`page error: ${e.message}`));
  // A CSP violation is an error too: the views must run under the policy helmet sends.
  await page.exposeFunction('reportCspViolation', (v: string) => void errors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
}

/** Starts the demo service (with `env` on top, e.g. `SIMULATORS: '0'` for a city with no traffic) and Chromium with a desktop-sized page. */
export async function startRig(env: Record<string, string> = {}): Promise<RoleViewRig> {
  return rigOn(await startTestGridwatch({ DEMO: '1', ...env }));
}

/** Opens Chromium with a desktop-sized page on a running service; the rig's close() closes both. */
export async function rigOn(service: Pick<TestGridwatch, 'gw' | 'close'>): Promise<RoleViewRig> {
  ensureWebBuilt();
  fs.mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors: string[] = [];
  await collectErrors(page, consoleErrors);
  return {
    gw: service.gw,
    browser,
    page,
    consoleErrors,
    async close() {
      await browser.close();
      await service.close();
    },
  };
}

/** A phone (390×844, touch) in its own browser context, so it holds its own session beside the rig's desktop page. */
export interface PhoneView {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
}

/**
 * Opens a phone-sized page in a new context of `browser` that may read its position (at
 * `geolocation` when given), collecting its errors as `collectErrors` does with `ignore`.
 */
export async function openPhone(browser: Browser, opts: { geolocation?: { latitude: number; longitude: number }; ignore?: (text: string) => boolean } = {}): Promise<PhoneView> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    permissions: ['geolocation'],
    ...(opts.geolocation ? { geolocation: { ...opts.geolocation, accuracy: 10 } } : {}),
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  await collectErrors(page, consoleErrors, opts.ignore);
  return { context, page, consoleErrors };
}

/**
 * Logs in as the demo user named `who` (a username, or a role for its first demo user) through the
 * API and plants on `page` (the rig's by default) the session the login form would store (session.ts).
 */
export async function loginAs(rig: RoleViewRig, who: string, page: Page = rig.page): Promise<string> {
  const cred = rig.gw.demoCredentials.find((c) => c.username === who) ?? rig.gw.demoCredentials.find((c) => c.role === who);
  if (!cred) throw new Error(`no demo user ${who}`);
  const answer = (await api(`${rig.gw.url}/api/v1/auth/login`, { body: { username: cred.username, password: cred.password } })).body;
  await page.addInitScript(
    ([tok, user]) => {
      sessionStorage.setItem('gridwatch.token', tok);
      sessionStorage.setItem('gridwatch.user', user);
    },
    [answer.token as string, JSON.stringify(answer.user)] as const,
  );
  return answer.token as string;
}

/** A real camera-like JPEG made with sharp: a gradient with a mark, so two calls with different `seed`s differ. */
export function photo(seed: number): Promise<Buffer> {
  const w = 640;
  const h = 480;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] = (x + seed * 37) % 256;
      raw[i + 1] = (y + seed * 11) % 256;
      raw[i + 2] = ((x ^ y) + seed) % 256;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

/** Runs axe-core on the page and answers its serious and critical violations, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over CDP rather than added as a <script>, so the page's CSP needs no exception.
  await page.evaluate(fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id} at ${v.targets.join(' ')}`);
}

/** Message keys shown raw instead of translated (`planner.tab.x`), read from the page's text and attributes. */
export async function untranslatedKeys(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[aria-label],[placeholder],[title]')].flatMap((e) => ['aria-label', 'placeholder', 'title'].map((a) => e.getAttribute(a) ?? ''));
    return [document.body.innerText, ...attrs].join('\n');
  });
  return [...text.matchAll(/\b(?:shell|command|ops|worker|planner|admin)\.[a-zA-Z][\w.-]*/g)].map((m) => m[0]);
}

/**
 * The page's file pickers as a person sees them: the visible text of each of ours (caption, button,
 * chosen file) and every file input the browser draws itself (larger than 1 px and not transparent),
 * whose "Choose file / No file chosen" would be in the browser's language rather than the page's.
 */
export async function filePickers(page: Page): Promise<{ shown: string[]; nativeDrawn: string[] }> {
  return page.evaluate(() => ({
    shown: [...document.querySelectorAll<HTMLElement>('.file-pick')].map((e) => e.innerText.replace(/\s+/g, ' ').trim()),
    nativeDrawn: [...document.querySelectorAll<HTMLInputElement>('input[type=file]')]
      .filter((e) => {
        const box = e.getBoundingClientRect();
        return (box.width > 1 || box.height > 1) && getComputedStyle(e).opacity !== '0';
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  }));
}

/** A clue of the town operator's list: its code, alert type and status. */
export interface ClueRow {
  code: string;
  alertType: string;
  status: string;
}

/**
 * Makes two clues in a rig started with no simulated traffic by publishing as the demo gas sensor
 * gas-001 over MQTT: a tamper report (`t`, routine: it stays `new`, waiting for dispatch) and one
 * reading of 60 %LEL (`u`, urgent: dispatched to the town team at once); answers both once the
 * town operator's clue list holds them.
 */
export async function publishGasClues(rig: RoleViewRig): Promise<{ t: ClueRow; u: ClueRow }> {
  const port = (await api(`${rig.gw.url}/healthz`)).body.components.mqtt.detail.port as number;
  const gas = rig.gw.demoDevices.find((d) => d.id === 'gas-001')!;
  const at = firstEpisodePosition();
  const event = (n: number, lelPct: number, tampered: boolean) => ({
    eventId: `a11y-gas-001-${n}`,
    deviceId: gas.id,
    kind: 'gas-sensor',
    ts: new Date(Date.now() - (2 - n) * 1000).toISOString(),
    position: { lon: at.lon, lat: at.lat, crs: 'wgs84', accuracyM: 8 },
    lelPct,
    batteryPct: 80,
    tamper: tampered,
  });
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: gas.id, password: gas.token, clientId: 'a11y-gas-001', reconnectPeriod: 0 });
  try {
    for (const e of [event(0, 1, true), event(1, 60, true)]) await client.publishAsync(`devices/gas-sensor/${gas.id}/events`, JSON.stringify(e), { qos: 1 });
  } finally {
    await client.endAsync();
  }
  const who = rig.gw.demoCredentials.find((c) => c.username === 'town-operator')!;
  const operator = (await api(`${rig.gw.url}/api/v1/auth/login`, { body: { username: who.username, password: who.password } })).body.token as string;
  return waitFor(
    'the tamper and leak clues of gas-001',
    async () => {
      const list = (await api(`${rig.gw.url}/api/v1/clues?limit=50`, { token: operator })).body.clues as ClueRow[];
      const t = list.find((c) => c.alertType === 'gas.tamper');
      const u = list.find((c) => c.alertType === 'gas.leak' && c.status === 'dispatched');
      return t && u ? { t, u } : null;
    },
    60_000,
  );
}
