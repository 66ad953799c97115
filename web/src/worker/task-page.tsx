import { lazy, Suspense } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request, type GetAnswer } from '../api.js';
import { formatTime, pick, t, useLang } from '../app/i18n.js';
import { useLive } from '../app/live.js';
import { actorText, errorText } from '../command/ops-text.js';
import { FilePick } from '../file-pick.js';
import { token } from '../session.js';
import { onFlushed, submitHandling } from './outbox-client.js';
import type { Tasks } from './task-list.js';

type ClueAnswer = GetAnswer<'/api/v1/clues/{code}'>;
type EvidenceAnswer = GetAnswer<'/api/v1/clues/{code}/evidence'>;
type ActionType = Tasks['tasks'][number]['nextActions'][number];

// MapLibre is large: the map comes after the task's facts and buttons, in its own chunk.
const NavMap = lazy(() => import('./nav-map.js'));

/** The task, what I may do with it, and its evidence. */
interface TaskState {
  clue: ClueAnswer['clue'];
  timeline: ClueAnswer['timeline'];
  nextActions: ActionType[];
  evidence: EvidenceAnswer['evidence'];
}

async function loadTask(code: string): Promise<TaskState> {
  const enc = encodeURIComponent(code);
  const [one, tasks, ev] = await Promise.all([
    request<ClueAnswer>(`/api/v1/clues/${enc}`),
    request<Tasks>('/api/v1/tasks?limit=1000'),
    request<EvidenceAnswer>(`/api/v1/clues/${enc}/evidence`),
  ]);
  const nextActions = tasks.tasks.find((x) => x.clue.code === code)?.nextActions ?? [];
  return { clue: one.clue, timeline: one.timeline, nextActions, evidence: ev.evidence };
}

/** The message for a refused action, in the user's words; a 409 on accept means a colleague was quicker. */
function refusal(action: string, err: unknown): string {
  if (err instanceof ApiError && err.status === 409 && action === 'accept') return t('worker.task.taken');
  return errorText(err);
}

/**
 * One task on the phone: what and where, accept / start, record the handling (photos from the
 * camera and a note) as feedback or as closed at source (源头化解) when the item allows it. The
 * handling goes through the outbox, so with no network it is queued and sent later, never lost.
 */
export function TaskPage({ code }: { code: string }) {
  useLang();
  const [task, setTask] = useState<TaskState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [formKey, setFormKey] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const notice = useRef<HTMLParagraphElement>(null);
  const loaded = !!task;
  // Opening a task from a list (a link that goes with the list) lands keyboard and screen-reader users on its title.
  useEffect(() => void (loaded && heading.current?.focus()), [code, loaded]);

  const reload = () => {
    if (!navigator.onLine) return;
    loadTask(code)
      .then((x) => {
        setTask(x);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)));
  };
  useEffect(() => {
    reload();
    return onFlushed((left) => {
      // What this page queued has gone out: say so instead of leaving "saved offline" up.
      if (!left) setMessage((m) => (m === t('worker.handle.queued') ? t('worker.handle.sentLater') : m));
      reload();
    });
  }, [code]);
  useLive('changed', (m) => m.code === code && reload());

  const act = async (type: 'accept' | 'start') => {
    setBusy(true);
    try {
      await request(`/api/v1/clues/${encodeURIComponent(code)}/actions`, { method: 'POST', body: { type } });
      setMessage(t(`worker.task.done.${type}`));
    } catch (err) {
      setMessage(refusal(type, err));
    } finally {
      setBusy(false);
      reload();
      // The button pressed goes once the task moves on: focus the outcome, just above the next step, not the body.
      requestAnimationFrame(() => notice.current?.focus());
    }
  };

  const submit = async (action?: 'feedback' | 'closeAtSource') => {
    if (action && !note.trim()) return setMessage(t('worker.handle.noteNeeded'));
    if (!action && !photos.length) return setMessage(t('worker.handle.photoNeeded'));
    setBusy(true);
    try {
      const result = await submitHandling(code, note.trim(), photos, action);
      setMessage(result === 'queued' ? t('worker.handle.queued') : t('worker.handle.sent'));
      setNote('');
      setPhotos([]);
      setFormKey((k) => k + 1);
    } catch (err) {
      setMessage(errorText(err));
    } finally {
      setBusy(false);
      reload();
    }
  };

  if (error && !task) return <p class="error worker-section">{error}</p>;
  if (!task) return <p class="worker-section">{t('worker.loading')}</p>;
  const { clue, nextActions } = task;
  const can = (a: ActionType) => nextActions.includes(a);
  const canHandle = can('feedback') || can('closeAtSource');

  return (
    <article class="task-page" data-testid="task" data-status={clue.status}>
      <a class="back" href="/worker">
        {t('worker.back')}
      </a>
      <header class="worker-section">
        <h2 tabIndex={-1} ref={heading}>
          {pick(clue.summary)}
        </h2>
        <p class="task-meta">
          <span class={`status status-${clue.status}`} data-testid="task-status">
            {t(`worker.status.${clue.status}`)}
          </span>
          <span>{clue.code}</span>
          {clue.item?.name && <span>{pick(clue.item.name)}</span>}
        </p>
        <dl class="facts">
          <dt>{t('worker.task.opened')}</dt>
          <dd>{formatTime(clue.openedAt)}</dd>
          <dt>{t('worker.task.deadline')}</dt>
          <dd class={clue.closeOverdue ? 'bad' : ''}>{formatTime(clue.deadline)}</dd>
        </dl>
      </header>

      {message && (
        <p class="notice" role="status" data-testid="task-message" tabIndex={-1} ref={notice}>
          {message}
        </p>
      )}

      {(can('accept') || can('start')) && (
        <div class="worker-section actions">
          {can('accept') && (
            <button type="button" class="primary wide" disabled={busy} onClick={() => act('accept')} data-testid="accept">
              {t('worker.task.accept')}
            </button>
          )}
          {can('start') && (
            <button type="button" class="wide" disabled={busy} onClick={() => act('start')} data-testid="start">
              {t('worker.task.start')}
            </button>
          )}
        </div>
      )}

      {canHandle && (
        <form class="worker-section handle" key={formKey} onSubmit={(e) => e.preventDefault()} data-testid="handle">
          <h3>{t('worker.handle.title')}</h3>
          <FilePick
            label={t('worker.handle.photos')}
            button={t('worker.handle.photoButton')}
            name="photos"
            accept="image/*"
            capture="environment"
            multiple
            onFiles={setPhotos}
          />
          <label>
            {t('worker.handle.note')}
            <textarea name="note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
          </label>
          <div class="actions">
            <button type="button" class="wide" disabled={busy} onClick={() => submit()} data-testid="save-photos">
              {t('worker.handle.savePhotos')}
            </button>
            {can('feedback') && (
              <button type="button" class="primary wide" disabled={busy} onClick={() => submit('feedback')} data-testid="feedback">
                {t('worker.handle.feedback')}
              </button>
            )}
            {can('closeAtSource') && (
              <button type="button" class="wide" disabled={busy} onClick={() => submit('closeAtSource')} data-testid="close-at-source">
                {t('worker.handle.closeAtSource')}
              </button>
            )}
          </div>
        </form>
      )}

      {task.evidence.length > 0 && (
        <section class="worker-section" aria-labelledby="ev-h">
          <h3 id="ev-h">{t('worker.evidence.title', { n: task.evidence.length })}</h3>
          <ul class="thumbs" data-testid="evidence">
            {task.evidence.map((e) => (
              <li key={e.sha256}>
                <EvidenceThumb url={e.urls.thumb} />
              </li>
            ))}
          </ul>
        </section>
      )}

      <Suspense fallback={<p class="worker-section">{t('worker.loading')}</p>}>
        <NavMap target={clue.position} />
      </Suspense>

      <section class="worker-section" aria-labelledby="tl-h">
        <h3 id="tl-h">{t('worker.timeline.title')}</h3>
        <ol class="timeline">
          {task.timeline.map((e, i) => (
            <li key={i}>
              <time>{formatTime(e.at)}</time> {t(`worker.action.${e.action}`)} · {actorText(e.actor)}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

/** A thumbnail, fetched with the bearer token (an <img src> cannot send it) and shown as a blob URL. */
function EvidenceThumb({ url: src }: { url: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    fetch(src, { headers: { authorization: `Bearer ${token() ?? ''}` } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => b && setUrl((made = URL.createObjectURL(b))))
      .catch(() => undefined);
    return () => void (made && URL.revokeObjectURL(made));
  }, [src]);
  return url ? <img src={url} alt={t('worker.evidence.alt')} width={88} height={88} /> : <span class="thumb-empty" />;
}
