import { useState } from 'preact/hooks';
import type { GetAnswer } from '../api.js';
import { request } from '../api.js';
import { formatTime, t } from '../app/i18n.js';
import { useFetch } from '../view-kit.js';

type DeadLetters = GetAnswer<'/api/v1/dead-letters'>;

/**
 * The dead-letter queue: messages the ingest refused, filtered by transport, error code,
 * device and replay state, each replayable, or all that match the filters at once.
 */
export default function DeadLettersTab() {
  const [reload, setReload] = useState(0);
  const [filters, setFilters] = useState({ transport: '', code: '', deviceId: '', replayed: 'false' });
  const q = new URLSearchParams({ limit: '100' });
  for (const [k, v] of Object.entries(filters)) if (v.trim()) q.set(k, v.trim());
  const { data, error } = useFetch<DeadLetters>(`/api/v1/dead-letters?${q}`, reload);
  const [message, setMessage] = useState<string | null>(null);

  async function replay(id: number | null) {
    setMessage(null);
    try {
      if (id !== null) {
        await request(`/api/v1/dead-letters/${id}/replay`, { method: 'POST' });
        setMessage(t('admin.dl.replayedOne', { id }));
      } else {
        const body: Record<string, unknown> = { includeReplayed: filters.replayed === 'true' };
        for (const k of ['transport', 'code', 'deviceId'] as const) if (filters[k].trim()) body[k] = filters[k].trim();
        const answer = await request<{ replayed: number }>('/api/v1/dead-letters/replay', { method: 'POST', body });
        setMessage(t('admin.dl.replayedMany', { n: answer.replayed }));
      }
    } catch (e) {
      setMessage((e as Error).message);
    }
    setReload((n) => n + 1);
  }

  const field = (k: 'code' | 'deviceId') => (
    <label>
      {t(`admin.dl.${k}`)}
      <input value={filters[k]} onChange={(e) => setFilters({ ...filters, [k]: e.currentTarget.value })} />
    </label>
  );
  return (
    <div class="dead-letters">
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('admin.dl.transport')}
          <select value={filters.transport} onChange={(e) => setFilters({ ...filters, transport: e.currentTarget.value })}>
            <option value="">{t('admin.all')}</option>
            <option value="mqtt">MQTT</option>
            <option value="kafka">Kafka</option>
            <option value="http">HTTP</option>
          </select>
        </label>
        {field('code')}
        {field('deviceId')}
        <label>
          {t('admin.dl.replayed')}
          <select value={filters.replayed} onChange={(e) => setFilters({ ...filters, replayed: e.currentTarget.value })}>
            <option value="">{t('admin.all')}</option>
            <option value="false">{t('admin.dl.notReplayed')}</option>
            <option value="true">{t('admin.dl.alreadyReplayed')}</option>
          </select>
        </label>
        <button type="button" onClick={() => void replay(null)}>
          {t('admin.dl.replayAll')}
        </button>
      </form>
      {(message ?? error) && (
        <p role="status" class="note">
          {message ?? error}
        </p>
      )}
      <table class="data-table">
        <caption>{t('admin.dl.caption', { n: data?.items.length ?? 0 })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.dl.id')}</th>
            <th scope="col">{t('admin.dl.received')}</th>
            <th scope="col">{t('admin.dl.transport')}</th>
            <th scope="col">{t('admin.dl.code')}</th>
            <th scope="col">{t('admin.dl.deviceId')}</th>
            <th scope="col">{t('admin.dl.reason')}</th>
            <th scope="col">{t('admin.dl.replayResult')}</th>
            <th scope="col">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {data?.items.length === 0 && (
            <tr>
              <td colSpan={8} class="muted">
                {t('admin.dl.empty')}
              </td>
            </tr>
          )}
          {(data?.items ?? []).map((d) => (
            <tr key={d.id}>
              <td>{d.id}</td>
              <td>{formatTime(d.receivedAt)}</td>
              <td>{d.transport}</td>
              <td>{d.code}</td>
              <td>{d.deviceId ?? '–'}</td>
              <td class="reason">{d.reason}</td>
              <td>{d.replayedAt ? `${formatTime(d.replayedAt)} ${d.replayResult ?? ''}` : '–'}</td>
              <td>
                <button type="button" onClick={() => void replay(d.id)}>
                  {t('admin.dl.replay')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
