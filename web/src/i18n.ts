import type { ClueStatus, Severity } from './clue.js';

/**
 * Every string the UI shows, in Simplified Chinese (the default: the users are Chinese command
 * centres) and English. Static markup names its string with `data-i18n="key"`; code calls `t`.
 */
const zh = {
  'app.title': 'Gridwatch 线索实时地图',
  'app.logout': '退出登录',
  'lang.switch': 'English',
  'login.username': '用户名',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '用户名或密码错误',
  'login.unavailable': '暂时无法登录：{message}',
  'list.title': '最新线索',
  'list.count': '共 {n} 条',
  'list.empty': '暂无线索，设备告警后将在此出现',
  'feed.updated': '{time} 已更新',
  'feed.failed': '刷新失败，稍后重试',
  'detail.item': '执法事项',
  'detail.noItem': '无对应事项',
  'detail.unit': '承办单位',
  'detail.coNotified': '协同单位',
  'detail.deadline': '处置时限',
  'detail.overdue': '已超时',
  'detail.status': '状态',
  'detail.severity': '等级',
  'detail.reasons': '派遣依据',
  'detail.close': '关闭',
  'detail.loadFailed': '无法读取线索 {code}：{message}',
};

/** A string of the dictionary. */
export type MessageKey = keyof typeof zh;
/** The languages the UI speaks. */
export type Lang = 'zh' | 'en';

const en: Record<MessageKey, string> = {
  'app.title': 'Gridwatch live clue map',
  'app.logout': 'Log out',
  'lang.switch': '中文',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.failed': 'Wrong username or password',
  'login.unavailable': 'Cannot log in right now: {message}',
  'list.title': 'Newest clues',
  'list.count': '{n} in all',
  'list.empty': 'No clues yet; they appear here when devices raise alerts',
  'feed.updated': 'updated {time}',
  'feed.failed': 'Refresh failed, retrying',
  'detail.item': 'Enforcement item',
  'detail.noItem': 'No catalogue item',
  'detail.unit': 'Responsible unit',
  'detail.coNotified': 'Also notified',
  'detail.deadline': 'Deadline',
  'detail.overdue': 'overdue',
  'detail.status': 'Status',
  'detail.severity': 'Severity',
  'detail.reasons': 'Routing reasons',
  'detail.close': 'Close',
  'detail.loadFailed': 'Cannot read clue {code}: {message}',
};

const dictionary: Record<Lang, Record<MessageKey, string>> = { zh, en };

/** Clue status labels; a Record over the generated ClueStatus, so a status the server adds must get one. */
const STATUS_LABELS: Record<Lang, Record<ClueStatus, string>> = {
  zh: {
    new: '新线索',
    dispatched: '已派遣',
    accepted: '已签收',
    handling: '处置中',
    feedback: '已反馈',
    verified: '已核查',
    closed: '已办结',
    rejected: '已退回',
    transferred: '已转办',
    escalated: '已立案',
    merged: '已合并',
  },
  en: {
    new: 'New',
    dispatched: 'Dispatched',
    accepted: 'Accepted',
    handling: 'Handling',
    feedback: 'Feedback given',
    verified: 'Verified',
    closed: 'Closed',
    rejected: 'Rejected',
    transferred: 'Transferred',
    escalated: 'Escalated to a case',
    merged: 'Merged',
  },
};

/** Severity labels, likewise complete for the generated Severity. */
const SEVERITY_LABELS: Record<Lang, Record<Severity, string>> = {
  zh: { info: '提示', low: '低', medium: '中', high: '高', critical: '紧急' },
  en: { info: 'Info', low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' },
};
const LANG_KEY = 'gridwatch.lang';
let current: Lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
const listeners: (() => void)[] = [];

/** The string for `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return dictionary[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** A clue status in the current language. */
export function statusLabel(status: ClueStatus): string {
  return STATUS_LABELS[current][status];
}

/** A severity in the current language. */
export function severityLabel(severity: Severity): string {
  return SEVERITY_LABELS[current][severity];
}

/** Picks the current language's side of a `{zh, en}` pair, as the API returns names and reasons. */
export function pick(text: { zh: string; en: string }): string {
  return text[current];
}

/** Fills every `[data-i18n]` element under `root` and the document language. */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as MessageKey);
}

/** Switches between Chinese and English, remembers the choice, and re-renders what listens. */
export function toggleLang(): void {
  current = current === 'zh' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, current);
  translatePage();
  for (const fn of listeners) fn();
}

/** Calls `fn` after every language switch (for content rendered from data). */
export function onLangChange(fn: () => void): void {
  listeners.push(fn);
}

/** A time in the city's zone (UTC+8), whatever the browser's zone is. */
export function formatTime(iso: string, withDate = true): string {
  return new Intl.DateTimeFormat(current === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    ...(withDate ? { dateStyle: 'short' } : {}),
    timeStyle: 'medium',
  }).format(new Date(iso));
}
