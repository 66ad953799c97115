import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { saveSession, type SessionUser } from '../session.js';
import { LangSwitch } from './header.js';
import { t, useLang } from './i18n.js';
import { homePath } from './home.js';

/** `/login`: POST /api/v1/auth/login, then the role's home view. */
export function LoginView() {
  useLang();
  const { route } = useLocation();
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    setError('');
    try {
      const { token, user } = await request<{ token: string; user: SessionUser }>('/api/v1/auth/login', {
        method: 'POST',
        body: { username: String(data.get('username')), password: String(data.get('password')) },
      });
      saveSession(token, user);
      route(homePath(), true);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t('shell.login.failed') : t('shell.login.unavailable', { message: (err as Error).message }));
    }
  };
  return (
    <main class="login">
      <form class="login-card" onSubmit={submit}>
        <h1>{t('shell.title')}</h1>
        <label>
          <span>{t('shell.login.username')}</span>
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          <span>{t('shell.login.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <p class="error" role="alert">
          {error}
        </p>
        <button type="submit">{t('shell.login.submit')}</button>
        <LangSwitch />
      </form>
    </main>
  );
}
