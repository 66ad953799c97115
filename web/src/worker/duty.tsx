import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { request } from '../api.js';
import { pick, t, useLang } from '../app/i18n.js';
import { useLive, type LiveMessages } from '../app/live.js';
import { errorText } from '../command/ops-text.js';
import { formatDistance } from './geo.js';
import { watchMyPosition } from './position.js';

/** Least time between two reports of the position (the server keeps one per 5 s anyway). */
const REPORT_EVERY_MS = 15_000;
const DUTY_KEY = 'gridwatch.worker.onDuty';

let audio: AudioContext | null = null;

/** A short two-tone beep; the AudioContext is made on the duty switch's tap, as browsers require a gesture. */
function beep(): void {
  if (!audio) return;
  const now = audio.currentTime;
  for (const [i, freq] of [880, 660].entries()) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.2, now + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.001, now + i * 0.25 + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(now + i * 0.25);
    osc.stop(now + i * 0.25 + 0.24);
  }
}

/**
 * The on-duty switch: on duty, the phone's position is reported (throttled) so the server can
 * push new clues nearby as `alert` messages (docs/LIVE.md); off duty, nothing is reported.
 * Remembered for the tab, so a reload keeps reporting.
 */
export function DutySwitch() {
  useLang();
  const [onDuty, setOnDuty] = useState(sessionStorage.getItem(DUTY_KEY) === '1');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!onDuty) return;
    let lastSent = 0;
    return watchMyPosition((fix) => {
      const now = Date.now();
      if (now - lastSent < REPORT_EVERY_MS || !navigator.onLine) return;
      lastSent = now;
      request('/api/v1/me/position', { method: 'POST', body: { lon: fix.lon, lat: fix.lat, accuracyM: fix.accuracyM, at: fix.at } }).catch(() => {
        // Dropped fixes are harmless: the next one replaces it.
        lastSent = 0;
      });
    });
  }, [onDuty]);

  const toggle = async () => {
    audio ??= typeof AudioContext === 'function' ? new AudioContext() : null;
    const next = !onDuty;
    try {
      await request('/api/v1/me/duty', { method: 'POST', body: { onDuty: next } });
      sessionStorage.setItem(DUTY_KEY, next ? '1' : '0');
      setOnDuty(next);
      setError(null);
    } catch (err) {
      setError(t('worker.duty.failed', { message: errorText(err) }));
    }
  };

  return (
    <div class="duty">
      <button type="button" role="switch" aria-checked={onDuty} class={onDuty ? 'duty-switch on' : 'duty-switch'} onClick={toggle} data-testid="duty">
        <span class="knob" aria-hidden="true" />
        {onDuty ? t('worker.duty.on') : t('worker.duty.off')}
      </button>
      {error && <p class="error">{error}</p>}
    </div>
  );
}

/** The banner for a clue pushed to me while on duty, with a beep and a vibration. */
export function AlertBanner() {
  useLang();
  const { route } = useLocation();
  const [alert, setAlert] = useState<LiveMessages['alert'] | null>(null);
  const shown = useRef<string | null>(null);
  useLive('alert', (msg) => {
    setAlert(msg);
    if (shown.current === msg.code) return;
    shown.current = msg.code;
    beep();
    navigator.vibrate?.([300, 120, 300]);
  });
  if (!alert) return null;
  return (
    <div class="worker-alert" role="alert" data-testid="worker-alert">
      <strong>{t('worker.alert.title')}</strong>
      <span>
        {pick(alert.clue.summary)}
        {alert.distanceM !== null ? ` · ${formatDistance(alert.distanceM)}` : ` · ${t('worker.alert.inGrid')}`}
      </span>
      <div class="row">
        <button
          type="button"
          class="primary"
          onClick={() => {
            setAlert(null);
            route(`/worker/task/${encodeURIComponent(alert.code)}`);
          }}
        >
          {t('worker.alert.open')}
        </button>
        <button type="button" onClick={() => setAlert(null)}>
          {t('worker.alert.dismiss')}
        </button>
      </div>
    </div>
  );
}
