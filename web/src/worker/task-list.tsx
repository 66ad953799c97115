import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type GetAnswer } from '../api.js';
import { formatTime, pick, t, useLang } from '../app/i18n.js';
import { useLive } from '../app/live.js';
import { errorText } from '../command/ops-text.js';
import type { Clue } from '../clue.js';
import { formatDistance } from './geo.js';
import { onFlushed } from './outbox-client.js';
import { useMyPosition } from './position.js';

/** GET /api/v1/tasks's answer. */
export type Tasks = GetAnswer<'/api/v1/tasks'>;
type Nearby = GetAnswer<'/api/v1/clues/nearby'>;

/** One clue as a row to tap (a link: the task page has its own URL). */
function ClueRow({ clue, extra }: { clue: Clue; extra?: string }) {
  return (
    <li>
      <a class={`task-row sev-${clue.severity}`} href={`/worker/task/${encodeURIComponent(clue.code)}`} data-code={clue.code}>
        <span class="task-summary">{pick(clue.summary)}</span>
        <span class="task-meta">
          <span class={`status status-${clue.status}`}>{t(`worker.status.${clue.status}`)}</span>
          <span>{clue.code}</span>
          <span>{extra ?? formatTime(clue.openedAt)}</span>
          {clue.closeOverdue && <span class="bad">{t('worker.overdue')}</span>}
        </span>
      </a>
    </li>
  );
}

/** A hook: my unit's tasks, reloaded on live changes and after the outbox sends. */
export function useTasks(): { tasks: Tasks | null; error: string | null; reload: () => void } {
  const [tasks, setTasks] = useState<Tasks | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () => {
    if (!navigator.onLine) return;
    request<Tasks>('/api/v1/tasks')
      .then((x) => {
        setTasks(x);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)));
  };
  useEffect(() => {
    reload();
    const off = onFlushed(reload);
    window.addEventListener('online', reload);
    return () => {
      off();
      window.removeEventListener('online', reload);
    };
  }, []);
  useLive('opened', reload);
  useLive('changed', reload);
  useLive('closed', reload);
  useLive('reload', reload);
  return { tasks, error, reload };
}

/** "My tasks": the open clues of my unit, newest first. */
export function TaskList() {
  useLang();
  const { tasks, error } = useTasks();
  return (
    <section class="worker-section" aria-labelledby="tasks-h">
      <h2 id="tasks-h">
        {t('worker.tasks.title')} {tasks && <span class="count">{tasks.total}</span>}
      </h2>
      {error && <p class="error">{error}</p>}
      {tasks && !tasks.tasks.length && <p class="empty">{t('worker.tasks.none')}</p>}
      <ul class="task-list" data-testid="tasks">
        {tasks?.tasks.map(({ clue }) => <ClueRow key={clue.code} clue={clue} />)}
      </ul>
    </section>
  );
}

/**
 * "Near me": open clues within 2 km of the phone, nearest first (GET /api/v1/clues/nearby).
 * The button goes once tapped, so focus moves to the section's heading rather than to the body:
 * the next Tab reaches the first clue near me.
 */
export function NearMe() {
  useLang();
  const [asked, setAsked] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const me = useMyPosition();
  const [near, setNear] = useState<Nearby | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!asked || !me || !navigator.onLine) return;
    request<Nearby>(`/api/v1/clues/nearby?lon=${me.lon}&lat=${me.lat}&radiusM=2000&limit=20`)
      .then(setNear)
      .catch((err: unknown) => setError(errorText(err)));
  }, [asked, me?.lon, me?.lat]);
  return (
    <section class="worker-section" aria-labelledby="near-h">
      <h2 id="near-h" tabIndex={-1} ref={heading}>
        {t('worker.near.title')}
      </h2>
      {!asked && (
        <button
          type="button"
          class="wide"
          onClick={() => {
            setAsked(true);
            heading.current?.focus();
          }}
        >
          {t('worker.near.show')}
        </button>
      )}
      {asked && !me && <p class="empty">{t('worker.position.unknown')}</p>}
      {error && <p class="error">{error}</p>}
      {near && !near.clues.length && <p class="empty">{t('worker.near.none')}</p>}
      <ul class="task-list" data-testid="nearby">
        {near?.clues.map((n) => <ClueRow key={n.clue.code} clue={n.clue} extra={formatDistance(n.distanceM)} />)}
      </ul>
    </section>
  );
}
