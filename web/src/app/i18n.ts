import { useEffect, useState } from 'preact/hooks';

/**
 * The UI's strings: flat JSON files `web/messages/<area>.<lang>.json`, keys prefixed by area
 * (`shell.`, `command.`, `ops.`, `worker.`, `planner.`, `admin.`), each area owned by its view.
 * Simplified Chinese is the default (the users are Chinese command centres); the English switch is
 * remembered in localStorage.
 */

/** The languages the UI speaks. */
export type Lang = 'zh-CN' | 'en';
const LANGS: readonly Lang[] = ['zh-CN', 'en'];
const LANG_KEY = 'gridwatch.lang';

const files = import.meta.glob<Record<string, string>>('../../messages/*.json', { eager: true, import: 'default' });

/** Every message per language, merged from all areas' files. */
const messages: Record<Lang, Record<string, string>> = { 'zh-CN': {}, en: {} };
for (const [path, table] of Object.entries(files)) {
  const lang = /\.([\w-]+)\.json$/.exec(path)?.[1] as Lang | undefined;
  if (lang && LANGS.includes(lang)) Object.assign(messages[lang], table);
}

let current: Lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN';
const listeners = new Set<() => void>();
document.documentElement.lang = current;

/**
 * The string for `key` in the current language, `{name}` placeholders filled from `vars`. A key
 * missing from the files shows as itself, so it is seen (and the messages test fails on it).
 */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  const text = messages[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** The current language. */
export function lang(): Lang {
  return current;
}

/** Switches the language, remembers it, and re-renders every component that used `useLang`. */
export function setLang(l: Lang): void {
  if (l === current) return;
  current = l;
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l;
  for (const fn of listeners) fn();
}

/** A hook: the current language; the component re-renders when it changes. */
export function useLang(): Lang {
  const [l, set] = useState(current);
  useEffect(() => {
    const fn = () => set(current);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
  return l;
}

/** A time in the city's zone (UTC+8), whatever the browser's zone is. */
export function formatTime(iso: string, withDate = true): string {
  return new Intl.DateTimeFormat(current === 'zh-CN' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    ...(withDate ? { dateStyle: 'short' } : {}),
    timeStyle: 'medium',
  }).format(new Date(iso));
}

/** Picks the current language's side of a `{zh, en}` pair, as the API returns names and reasons. */
export function pick(text: { zh: string; en: string }): string {
  return current === 'zh-CN' ? text.zh : text.en;
}
