import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api.js';
import { pick, t, useLang } from '../app/i18n.js';
import { useLive } from '../app/live.js';
import type { Clue } from '../clue.js';
import { isUrgent } from './urgent.js';

/**
 * The one AudioContext of the alarm, made on first use. A context made before any user gesture
 * starts suspended (autoplay policy), and browsers cap how many a page may open, so it is made once
 * and resumed on the first gesture instead of a new one per beep.
 */
let audio: AudioContext | null = null;
function audioContext(): AudioContext | null {
  try {
    audio ??= new AudioContext();
  } catch {
    // No audio device (or not allowed): the dialog alone still shows the alarm.
  }
  return audio;
}

/** Resumes the alarm's audio on the page's first gesture, so later beeps sound. */
function resumeOnGesture(): () => void {
  const events = ['pointerdown', 'keydown'] as const;
  function stop(): void {
    for (const e of events) document.removeEventListener(e, resume, true);
  }
  function resume(): void {
    const ctx = audioContext();
    if (ctx?.state === 'suspended') void ctx.resume().then(stop, () => undefined);
    else stop();
  }
  for (const e of events) document.addEventListener(e, resume, true);
  return stop;
}

/** One short beep on the shared context; silent while the browser keeps it suspended. */
function beep(): void {
  const ctx = audioContext();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  const osc = ctx.createOscillator();
  osc.frequency.value = 880;
  osc.connect(ctx.destination);
  osc.onended = () => osc.disconnect();
  osc.start();
  osc.stop(ctx.currentTime + 0.25);
}

/**
 * The urgent-clue alarm: a new urgent clue (see isUrgent) opens a dialog that beeps every two
 * seconds until the operator acknowledges it; the acknowledgement is recorded on the clue's
 * timeline by POST /api/v1/clues/:code/alarm-ack.
 */
export function UrgentAlarm({ onOpen }: { onOpen: (code: string) => void }) {
  useLang();
  const [queue, setQueue] = useState<Clue[]>([]);
  // Codes acknowledged on this console: a later change of the same clue does not ring again.
  const acked = useRef(new Set<string>());
  const raise = (clue: Clue) => {
    if (acked.current.has(clue.code) || !isUrgent(clue)) return;
    setQueue((q) => (q.some((c) => c.code === clue.code) ? q : [...q, clue]));
  };
  useLive('opened', (m) => raise(m.fields));
  // A clue can become urgent later (a gas reading rising to high): the change carries only the
  // new severity, so the clue is read to know its alert type.
  useLive('changed', (m) => {
    if (m.fields.severity !== 'high' && m.fields.severity !== 'critical') return;
    if (acked.current.has(m.code)) return;
    request<{ clue: Clue }>(`/api/v1/clues/${encodeURIComponent(m.code)}`)
      .then((r) => raise(r.clue))
      .catch(() => undefined);
  });
  useEffect(resumeOnGesture, []);
  const first = queue[0];
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!first) return;
    // The beeps tried are counted on the dialog (data-beeps): whether they sound is the browser's call.
    let beeps = 0;
    const ring = () => {
      beep();
      dialog.current?.setAttribute('data-beeps', String(++beeps));
    };
    ring();
    const id = setInterval(ring, 2000);
    return () => clearInterval(id);
  }, [first?.code]);
  if (!first) return null;
  const ack = async (open: boolean) => {
    await request(`/api/v1/clues/${encodeURIComponent(first.code)}/alarm-ack`, { method: 'POST', body: {} });
    acked.current.add(first.code);
    setQueue((q) => q.slice(1));
    if (open) onOpen(first.code);
  };
  return (
    <div class="alarm" role="alertdialog" aria-labelledby="alarm-title" data-code={first.code} ref={dialog}>
      <h2 id="alarm-title">{t('command.alarm.title')}</h2>
      <p>
        <strong>{first.code}</strong> {first.item?.name ? pick(first.item.name) : first.alertType}
      </p>
      <div class="alarm-actions">
        <button type="button" class="danger" onClick={() => void ack(false)} autofocus>
          {t('command.alarm.ack')}
        </button>
        <button type="button" onClick={() => void ack(true)}>
          {t('command.alarm.open')}
        </button>
      </div>
    </div>
  );
}
