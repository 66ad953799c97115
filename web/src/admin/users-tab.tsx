import { useState } from 'preact/hooks';
import type { GetAnswer } from '../api.js';
import { request } from '../api.js';
import { lang, t } from '../app/i18n.js';
import { useFetch } from '../view-kit.js';

type Users = GetAnswer<'/api/v1/users'>;
type Units = GetAnswer<'/api/v1/units'>;
const ROLES = ['admin', 'operator', 'worker', 'officer', 'planner'] as const;

/**
 * Users with their role, unit and scopes (a scope is a district or town code the user's
 * view is limited to), a form to add one, and the units they can belong to.
 */
export default function UsersTab() {
  const [reload, setReload] = useState(0);
  const { data, error } = useFetch<Users>('/api/v1/users', reload);
  const { data: units } = useFetch<Units>('/api/v1/units');
  const [form, setForm] = useState({ username: '', displayName: '', password: '', role: 'operator', unitId: '', scopes: '' });
  const [message, setMessage] = useState<string | null>(null);
  const unitName = (id: string | null) => {
    const u = units?.units.find((x) => x.id === id);
    return u ? (lang() === 'en' ? u.name.en : u.name.zh) : (id ?? '–');
  };

  async function create(e: Event) {
    e.preventDefault();
    setMessage(null);
    const body = {
      username: form.username.trim(),
      displayName: form.displayName.trim(),
      password: form.password,
      role: form.role,
      unitId: form.unitId || null,
      scopes: form.scopes.split(/[\s,，]+/).filter(Boolean),
    };
    await request('/api/v1/users', { method: 'POST', body }).then(
      () => (setMessage(t('admin.user.created', { name: body.username })), setForm({ ...form, username: '', displayName: '', password: '' })),
      (err: Error) => setMessage(err.message),
    );
    setReload((n) => n + 1);
  }
  const input = (k: 'username' | 'displayName' | 'password' | 'scopes') => {
    const onInput = (e: { currentTarget: HTMLInputElement }) => setForm({ ...form, [k]: e.currentTarget.value });
    return (
      <label>
        {t(`admin.user.${k}`)}
        {k === 'password' ? <input type="password" required value={form[k]} onInput={onInput} /> : <input required={k !== 'scopes'} value={form[k]} onInput={onInput} />}
      </label>
    );
  };
  return (
    <div class="users">
      <form class="filters" onSubmit={create}>
        {input('username')}
        {input('displayName')}
        {input('password')}
        <label>
          {t('admin.user.role')}
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`admin.role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.user.unit')}
          <select value={form.unitId} onChange={(e) => setForm({ ...form, unitId: e.currentTarget.value })}>
            <option value="">–</option>
            {(units?.units ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {unitName(u.id)}
              </option>
            ))}
          </select>
        </label>
        {input('scopes')}
        <button type="submit">{t('admin.user.create')}</button>
      </form>
      {(message ?? error) && (
        <p role="status" class="note">
          {message ?? error}
        </p>
      )}
      <table class="data-table">
        <caption>{t('admin.user.caption', { n: data?.users.length ?? 0 })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.user.username')}</th>
            <th scope="col">{t('admin.user.displayName')}</th>
            <th scope="col">{t('admin.user.role')}</th>
            <th scope="col">{t('admin.user.unit')}</th>
            <th scope="col">{t('admin.user.scopes')}</th>
            <th scope="col">{t('admin.user.state')}</th>
          </tr>
        </thead>
        <tbody>
          {(data?.users ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.username}</td>
              <td>{u.displayName}</td>
              <td>{t(`admin.role.${u.role}`)}</td>
              <td>{unitName(u.unitId)}</td>
              <td>{u.scopes.join(', ') || '–'}</td>
              <td>{u.disabled ? t('admin.user.disabled') : t('admin.user.enabled')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="data-table">
        <caption>{t('admin.unit.caption', { n: units?.units.length ?? 0 })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.unit.id')}</th>
            <th scope="col">{t('admin.unit.name')}</th>
            <th scope="col">{t('admin.unit.kind')}</th>
            <th scope="col">{t('admin.unit.district')}</th>
          </tr>
        </thead>
        <tbody>
          {(units?.units ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.id}</td>
              <td>{unitName(u.id)}</td>
              <td>{t(`admin.unitKind.${u.kind}`)}</td>
              <td>{u.districtCode ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
