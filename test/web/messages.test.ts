/**
 * The UI's message files (web/messages/<area>.<lang>.json, read by web/src/app/i18n.ts): every
 * key exists in both languages with the same placeholders, and every key the code asks for with
 * `t('…')` in web/src exists in both. A key written as a template (`t(`ops.status.${s}`)`) must
 * match at least one key in each language. No browser: this reads the sources.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '../..');
const LANGS = ['zh-CN', 'en'] as const;

/** Every message per language, merged from all areas' files, with the file each key came from. */
function loadMessages(): Record<(typeof LANGS)[number], Map<string, { text: string; file: string }>> {
  const out = { 'zh-CN': new Map(), en: new Map() } as Record<(typeof LANGS)[number], Map<string, { text: string; file: string }>>;
  const dir = path.join(root, 'web/messages');
  for (const file of fs.readdirSync(dir)) {
    const m = /^([\w-]+)\.(zh-CN|en)\.json$/.exec(file);
    assert.ok(m, `web/messages/${file} is named <area>.<lang>.json`);
    const table = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
    for (const [key, text] of Object.entries(table)) {
      assert.equal(typeof text, 'string', `${file}: ${key} is a string`);
      assert.ok(key.startsWith(`${m[1]}.`), `${file}: ${key} carries its area's prefix ${m[1]}.`);
      out[m[2] as (typeof LANGS)[number]].set(key, { text: text as string, file });
    }
  }
  return out;
}

/** The .ts/.tsx files under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every message exists in zh-CN and in en, with the same placeholders', () => {
  const messages = loadMessages();
  const problems: string[] = [];
  for (const [a, b] of [['zh-CN', 'en'], ['en', 'zh-CN']] as const)
    for (const [key, { file }] of messages[a]) if (!messages[b].has(key)) problems.push(`${key} (${file}) has no ${b} text`);
  for (const [key, { text }] of messages['zh-CN']) {
    const en = messages.en.get(key);
    if (en && placeholders(en.text).join() !== placeholders(text).join()) problems.push(`${key}: placeholders differ (${placeholders(text)} / ${placeholders(en.text)})`);
  }
  assert.deepEqual(problems, []);
});

test('every t(…) key in web/src exists in both languages', () => {
  const messages = loadMessages();
  const files = sources(path.join(root, 'web/src'));
  let literals = 0;
  const problems: string[] = [];
  for (const file of files) {
    const code = fs.readFileSync(file, 'utf8');
    const where = path.relative(root, file);
    // `\bt(` and not `.t(` or `xt(`: the i18n function itself, called with a literal or a template.
    for (const m of code.matchAll(/(?<![.\w$])t\(\s*(?:'([^'\n]+)'|`([^`\n]+)`)/g)) {
      if (m[1] !== undefined) {
        literals++;
        for (const lang of LANGS) if (!messages[lang].has(m[1])) problems.push(`${where}: '${m[1]}' has no ${lang} text`);
      } else {
        const template = m[2]!;
        const pattern = new RegExp(`^${template.split(/\$\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
        for (const lang of LANGS) if (![...messages[lang].keys()].some((k) => pattern.test(k))) problems.push(`${where}: \`${template}\` matches no ${lang} key`);
      }
    }
  }
  assert.ok(literals > 100, `the scan finds the code's keys (${literals} literals in ${files.length} files)`);
  assert.deepEqual(problems, []);
});
