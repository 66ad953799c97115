import { t, useLang } from '../app/i18n.js';

/** The command centre's side panel (tasks, instructions, warnings). */
export default function SidePanel() {
  useLang();
  return (
    <aside class="side">
      <h2>{t('command.side.title')}</h2>
    </aside>
  );
}
