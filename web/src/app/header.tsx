import { useState } from 'preact/hooks';
import { request } from '../api.js';
import { clearToken, sessionUser } from '../session.js';
import { lang, setLang, t, useLang } from './i18n.js';
import { live, useLive, type LiveMessages } from './live.js';

/** The button that switches between Chinese and English (its label is the other language). */
export function LangSwitch() {
  useLang();
  return (
    <button type="button" class="lang-toggle" onClick={() => setLang(lang() === 'en' ? 'zh-CN' : 'en')}>
      {t('shell.lang.switch')}
    </button>
  );
}

/** The live figures of the `figures` message, within the user's scope; on a phone only the first three (style.css). */
function Figures() {
  const [f, setF] = useState<LiveMessages['figures'] | null>(null);
  useLive('figures', setF);
  if (!f) return null;
  return (
    <dl class="figures" data-testid="figures">
      <div class="fig-today">
        <dt>{t('shell.figures.today')}</dt>
        <dd>{f.cluesToday}</dd>
      </div>
      <div class="fig-on-time">
        <dt>{t('shell.figures.onTime')}</dt>
        <dd>{f.onTimeRate === null ? '–' : `${Math.round(f.onTimeRate * 100)}%`}</dd>
      </div>
      <div class={f.overdue ? 'fig-overdue bad' : 'fig-overdue'}>
        <dt>{t('shell.figures.overdue')}</dt>
        <dd>{f.overdue}</dd>
      </div>
      <div class="fig-eps">
        <dt>{t('shell.figures.eps')}</dt>
        <dd>{f.eventsPerSecond.toFixed(1)}</dd>
      </div>
    </dl>
  );
}

/** The bar over every view: title, live figures, user and role, language switch, logout (on a phone: figures, language, logout). */
export function Header() {
  useLang();
  const user = sessionUser();
  const logout = async () => {
    await request('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    live.stop();
    clearToken();
    location.assign('/login');
  };
  return (
    <header class="bar">
      <h1>{t('shell.title')}</h1>
      <Figures />
      <span class="user" title={user?.username}>
        {user?.displayName} · {user ? t(`shell.role.${user.role}`) : ''}
      </span>
      <LangSwitch />
      <button type="button" onClick={logout}>
        {t('shell.logout')}
      </button>
    </header>
  );
}
