import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from '../api.js';
import { pick, t, useLang } from '../app/i18n.js';
import { useLive } from '../app/live.js';
import type { Clue } from '../clue.js';
import { isUrgent } from './urgent.js';

/** One short beep (WebAudio); silent where the browser has not allowed audio yet. */
function beep(): void {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = () => void ctx.close();
  } catch {
    // No audio device (or not allowed): the dialog alone still shows the alarm.
  }
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
  const first = queue[0];
  useEffect(() => {
    if (!first) return;
    beep();
    const id = setInterval(beep, 2000);
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
    <div class="alarm" role="alertdialog" aria-labelledby="alarm-title">
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
