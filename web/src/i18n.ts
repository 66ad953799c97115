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
  'status.new': '新线索',
  'status.dispatched': '已派遣',
  'status.accepted': '已签收',
  'status.handling': '处置中',
  'status.feedback': '已反馈',
  'status.verified': '已核查',
  'status.closed': '已办结',
  'status.rejected': '已退回',
  'status.transferred': '已转办',
  'status.escalated': '已立案',
  'status.merged': '已合并',
  'severity.info': '提示',
  'severity.low': '低',
  'severity.medium': '中',
  'severity.high': '高',
  'severity.critical': '紧急',
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
  'status.new': 'New',
  'status.dispatched': 'Dispatched',
  'status.accepted': 'Accepted',
  'status.handling': 'Handling',
  'status.feedback': 'Feedback given',
  'status.verified': 'Verified',
  'status.closed': 'Closed',
  'status.rejected': 'Rejected',
  'status.transferred': 'Transferred',
  'status.escalated': 'Escalated to a case',
  'status.merged': 'Merged',
  'severity.info': 'Info',
  'severity.low': 'Low',
  'severity.medium': 'Medium',
  'severity.high': 'High',
  'severity.critical': 'Critical',
};

const dictionary: Record<Lang, Record<MessageKey, string>> = { zh, en };
const LANG_KEY = 'gridwatch.lang';
let current: Lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
const listeners: (() => void)[] = [];

/** The language in use. */
export function lang(): Lang {
  return current;
}

/** The string for `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return dictionary[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
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
