import { t, useLang } from '../app/i18n.js';

/** The worker view (its own chunk). */
export default function View({ params }: { params: Record<string, string> }) {
  useLang();
  return (
    <section class="placeholder-view" data-params={JSON.stringify(params)}>
      <h2>{t('shell.view.worker')}</h2>
    </section>
  );
}
