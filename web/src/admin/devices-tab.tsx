import { useState } from 'preact/hooks';
import type { GetAnswer } from '../api.js';
import { request } from '../api.js';
import { formatTime, t } from '../app/i18n.js';
import { useFetch } from '../view-kit.js';

type Devices = GetAnswer<'/api/v1/devices'>;
type Device = Devices['devices'][number];
const KINDS = ['waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera'] as const;
/** A device silent this long is shown as stale: every simulated kind reports at least every few minutes. */
const STALE_MS = 15 * 60_000;

/** Health from the last message: never seen, stale, or online; disabled devices are just disabled. */
function health(d: Device, now: number): 'disabled' | 'never' | 'stale' | 'online' {
  if (d.disabled) return 'disabled';
  if (!d.lastSeenAt) return 'never';
  return now - Date.parse(d.lastSeenAt) > STALE_MS ? 'stale' : 'online';
}

/**
 * Devices: register one (its token is shown once, here, and never again), rotate a token
 * (the old one stops working at once), disable or enable, with last seen and health.
 */
export default function DevicesTab() {
  const [reload, setReload] = useState(0);
  const [kind, setKind] = useState<string>('');
  const q = new URLSearchParams({ limit: '200' });
  if (kind) q.set('kind', kind);
  const { data, error } = useFetch<Devices>(`/api/v1/devices?${q}`, reload);
  const [newToken, setNewToken] = useState<{ id: string; token: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [form, setForm] = useState({ id: '', kind: 'gas-sensor', homeUnitId: '' });
  const now = Date.now();

  async function act(fn: () => Promise<unknown>) {
    setMessage(null);
    await fn().catch((e: Error) => setMessage(e.message));
    setReload((n) => n + 1);
  }
  const register = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const body = { id: form.id.trim(), kind: form.kind, ...(form.homeUnitId.trim() ? { homeUnitId: form.homeUnitId.trim() } : {}) };
      const answer = await request<{ device: Device; token: string }>('/api/v1/devices', { method: 'POST', body });
      setNewToken({ id: answer.device.id, token: answer.token });
      setForm({ ...form, id: '' });
    });
  };
  const rotate = (id: string) =>
    act(async () => {
      if (!confirm(t('admin.dev.confirmRotate', { id }))) return;
      setNewToken(await request<{ id: string; token: string }>(`/api/v1/devices/${encodeURIComponent(id)}/rotate-token`, { method: 'POST' }));
    });
  const toggle = (d: Device) => act(() => request(`/api/v1/devices/${encodeURIComponent(d.id)}/${d.disabled ? 'enable' : 'disable'}`, { method: 'POST' }));

  return (
    <div class="devices">
      <form class="filters" onSubmit={register}>
        <label>
          {t('admin.dev.id')}
          <input required value={form.id} onInput={(e) => setForm({ ...form, id: e.currentTarget.value })} />
        </label>
        <label>
          {t('admin.dev.kind')}
          <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`admin.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.dev.homeUnit')}
          <input value={form.homeUnitId} onInput={(e) => setForm({ ...form, homeUnitId: e.currentTarget.value })} />
        </label>
        <button type="submit">{t('admin.dev.register')}</button>
      </form>
      {newToken && (
        <div class="token-once" role="alert">
          <p>{t('admin.dev.tokenOnce', { id: newToken.id })}</p>
          <code class="token">{newToken.token}</code>
          <button type="button" onClick={() => setNewToken(null)}>
            {t('admin.dev.tokenDone')}
          </button>
        </div>
      )}
      {(message ?? error) && (
        <p role="alert" class="error">
          {message ?? error}
        </p>
      )}
      <label class="inline-filter">
        {t('admin.dev.filterKind')}
        <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="">{t('admin.all')}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`admin.kind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <table class="data-table">
        <caption>{t('admin.dev.caption', { n: data?.devices.length ?? 0 })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.dev.id')}</th>
            <th scope="col">{t('admin.dev.kind')}</th>
            <th scope="col">{t('admin.dev.homeUnit')}</th>
            <th scope="col">{t('admin.dev.lastSeen')}</th>
            <th scope="col">{t('admin.dev.health')}</th>
            <th scope="col">{t('admin.dev.rotatedAt')}</th>
            <th scope="col">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {(data?.devices ?? []).map((d) => (
            <tr key={d.id} class={`health-${health(d, now)}`}>
              <td>{d.id}</td>
              <td>{t(`admin.kind.${d.kind}`)}</td>
              <td>{d.homeUnitId ?? '–'}</td>
              <td>{d.lastSeenAt ? formatTime(d.lastSeenAt) : '–'}</td>
              <td>{t(`admin.health.${health(d, now)}`)}</td>
              <td>{formatTime(d.tokenRotatedAt)}</td>
              <td>
                <button type="button" onClick={() => void rotate(d.id)}>
                  {t('admin.dev.rotate')}
                </button>
                <button type="button" onClick={() => void toggle(d)}>
                  {d.disabled ? t('admin.dev.enable') : t('admin.dev.disable')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
