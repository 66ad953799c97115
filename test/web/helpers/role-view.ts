/**
 * Browser set-up shared by the planner and admin tests (the same flags as DESIGN.md §10,
 * made reusable): build web/dist when stale, start the demo service, open Chromium with the
 * SwiftShader flags, collect console errors, log in by planting the session the login form
 * would store, run axe-core, and look for untranslated message keys.
 */
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Gridwatch } from '../../../server/runtime.js';
import { api } from '../../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../../helpers/gridwatch.js';

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

/** Starts the demo service (with `env` on top, e.g. `SIMULATORS: '0'` for a city with no traffic) and Chromium with a desktop-sized page. */
export async function startRig(env: Record<string, string> = {}): Promise<RoleViewRig> {
  ensureWebBuilt();
  fs.mkdirSync(shots, { recursive: true });
  const service: TestGridwatch = await startTestGridwatch({ DEMO: '1', ...env });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleErrors: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
  page.on('pageerror', (e) => void consoleErrors.push(`page error: ${e.message}`));
  // A CSP violation is an error too: the views must run under the policy helmet sends.
  await page.exposeFunction('reportCspViolation', (v: string) => void consoleErrors.push(`CSP: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { reportCspViolation(v: string): void }).reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
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

/**
 * Logs in as the demo user named `who` (a username, else the first user with that role) through
 * the API and plants the session the login form would store (session.ts) in `page`.
 */
export async function loginAs(rig: RoleViewRig, who: string, page: Page = rig.page): Promise<string> {
  const user = rig.gw.demoCredentials.find((c) => c.username === who) ?? rig.gw.demoCredentials.find((c) => c.role === who);
  if (!user) throw new Error(`no demo ${who}`);
  const answer = (await api(`${rig.gw.url}/api/v1/auth/login`, { body: { username: user.username, password: user.password } })).body;
  await page.addInitScript(
    ([tok, user]) => {
      sessionStorage.setItem('gridwatch.token', tok);
      sessionStorage.setItem('gridwatch.user', user);
    },
    [answer.token as string, JSON.stringify(answer.user)] as const,
  );
  return answer.token as string;
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
