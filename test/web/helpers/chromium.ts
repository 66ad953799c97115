/**
 * The browser set-up the web tests share: Chromium with the flags of docs/DESIGN.md §10, a fresh
 * build of web/ when its sources changed, a page that collects console errors, and axe-core.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const root = path.resolve(import.meta.dirname, '../../..');
/** Where screenshots go, for a person to look at. */
export const shots = path.join(root, 'test-results');

/** docs/DESIGN.md §10: with these flags MapLibre and deck.gl render WebGL headless (SwiftShader). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** Builds web/dist when it is missing or older than any of its sources (web/src and web/messages, recursively). */
export function ensureWebBuilt(): void {
  const built = path.join(root, 'web/dist/index.html');
  const dirs = ['web/src', 'web/messages'].map((d) => path.join(root, d)).filter((d) => fs.existsSync(d));
  const sources = [path.join(root, 'web/index.html'), path.join(root, 'web/vite.config.ts'), ...dirs.flatMap(filesUnder)];
  const newest = Math.max(...sources.map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest) return;
  execFileSync('npm', ['run', '--silent', 'web:build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Launches the system Chromium. */
export function launchChromium(): Promise<Browser> {
  fs.mkdirSync(shots, { recursive: true });
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Starts collecting the page's console errors and uncaught exceptions into `errors`. */
export function collectConsoleErrors(page: Page, errors: string[]): void {
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(`page error: ${e.message}`));
}

/** A violation axe-core reports, as much of it as a failure message needs. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the page as it is now. The script is evaluated through the DevTools protocol,
 * which the page's Content-Security-Policy does not govern, so the page is checked under its CSP.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const source = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(`${source}\n;0`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}
