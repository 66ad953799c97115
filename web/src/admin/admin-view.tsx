import { useLocation } from 'preact-iso';
import { t, useLang } from '../app/i18n.js';
import ImportsTab from './imports-tab.js';
import VersionsTab from './versions-tab.js';
import DevicesTab from './devices-tab.js';
import DeadLettersTab from './dead-letters-tab.js';
import UsersTab from './users-tab.js';

/** The administrator's screens, one URL each (`/admin/<tab>`). */
const TABS = ['imports', 'catalogue', 'devices', 'dead-letters', 'users'] as const;
type Tab = (typeof TABS)[number];

/**
 * The administrator's screen: boundary and grid imports with their validation report on the
 * map, catalogue and empowerment versions, devices and their tokens, the dead-letter queue and
 * users. Lazy-loaded by the router; every tab is a thin shell over the admin API.
 */
export default function AdminView({ params }: { params: Record<string, string> }) {
  useLang();
  const { route } = useLocation();
  const tab: Tab = (TABS as readonly string[]).includes(params.tab ?? '') ? (params.tab as Tab) : 'imports';
  return (
    <main class="role-view admin-view" aria-labelledby="admin-title">
      <h1 id="admin-title" class="view-title">{t('admin.title')}</h1>
      <nav class="view-tabs" role="tablist" aria-label={t('admin.tabs')}>
        {TABS.map((x) => (
          <a key={x} role="tab" aria-selected={x === tab} href={`/admin/${x}`} class={x === tab ? 'tab active' : 'tab'} onClick={(e) => (e.preventDefault(), route(`/admin/${x}`))}>
            {t(`admin.tab.${x}`)}
          </a>
        ))}
      </nav>
      <section role="tabpanel" class="view-panel">
        {tab === 'imports' && <ImportsTab />}
        {tab === 'catalogue' && <VersionsTab />}
        {tab === 'devices' && <DevicesTab />}
        {tab === 'dead-letters' && <DeadLettersTab />}
        {tab === 'users' && <UsersTab />}
      </section>
    </main>
  );
}
