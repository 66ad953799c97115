import { t, useLang } from '../app/i18n.js';

/** The admin view (its own chunk). */
export default function View({ params }: { params: Record<string, string> }) {
  useLang();
  return (
    <section class="placeholder-view" data-params={JSON.stringify(params)}>
      <h2>{t('shell.view.admin')}</h2>
    </section>
  );
}
