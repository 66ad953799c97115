import { useLocation } from 'preact-iso';
import { t, useLang } from '../app/i18n.js';
import HotspotsTab from './hotspots-tab.js';
import EfficiencyTab from './efficiency-tab.js';
import EvaluationTab from './evaluation-tab.js';

/** The planner's three views, one URL each (`/planner/<tab>`). */
const TABS = ['hotspots', 'efficiency', 'evaluation'] as const;
type Tab = (typeof TABS)[number];

/**
 * The planner's screen: hotspot layers with a time slider, per-unit and per-town efficiency,
 * and the catalogue evaluation, each exportable as CSV (and the hotspots as GeoJSON).
 * Lazy-loaded by the router, so deck.gl's H3 layer and uPlot load only for planners.
 */
export default function PlannerView({ params }: { params: Record<string, string> }) {
  useLang();
  const { route } = useLocation();
  const tab: Tab = (TABS as readonly string[]).includes(params.tab ?? '') ? (params.tab as Tab) : 'hotspots';
  return (
    <main class="role-view planner-view" aria-labelledby="planner-title">
      <h1 id="planner-title" class="view-title">{t('planner.title')}</h1>
      <nav class="view-tabs" role="tablist" aria-label={t('planner.tabs')}>
        {TABS.map((x) => (
          <a key={x} role="tab" aria-selected={x === tab} href={`/planner/${x}`} class={x === tab ? 'tab active' : 'tab'} onClick={(e) => (e.preventDefault(), route(`/planner/${x}`))}>
            {t(`planner.tab.${x}`)}
          </a>
        ))}
      </nav>
      <section role="tabpanel" class="view-panel">
        {tab === 'hotspots' && <HotspotsTab />}
        {tab === 'efficiency' && <EfficiencyTab />}
        {tab === 'evaluation' && <EvaluationTab />}
      </section>
    </main>
  );
}
