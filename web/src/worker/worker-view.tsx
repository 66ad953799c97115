import './worker.css';
import { t, useLang } from '../app/i18n.js';
import { AlertBanner, DutySwitch } from './duty.js';
import { useOutboxCount } from './outbox-client.js';
import { NearMe, TaskList } from './task-list.js';
import { TaskPage } from './task-page.js';

/** The count of handlings waiting for the network, shown while there are any. */
function OutboxBadge() {
  useLang();
  const n = useOutboxCount();
  if (!n) return null;
  return (
    <p class="outbox" role="status" data-testid="outbox">
      {t('worker.outbox.queued', { n })}
    </p>
  );
}

/**
 * The grid worker's phone view (routes /worker and /worker/task/:code): my tasks and the
 * clues near me, or one task; the on-duty switch, the outbox count and the alert banner on both.
 */
export default function WorkerView({ params }: { params: Record<string, string> }) {
  useLang();
  return (
    <div class="worker">
      <div class="worker-top">
        <DutySwitch />
        <OutboxBadge />
      </div>
      <AlertBanner />
      {params.code ? (
        <TaskPage code={params.code} />
      ) : (
        <>
          <TaskList />
          <NearMe />
        </>
      )}
    </div>
  );
}
