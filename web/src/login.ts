import { ApiError, request } from './api.js';
import { t } from './i18n.js';
import { saveSession, type SessionUser } from './session.js';

/**
 * Shows the login form until the user logs in (POST /api/v1/auth/login), then hides it and
 * resolves with the user; the token is kept in the session.
 */
export function showLogin(section: HTMLElement): Promise<SessionUser> {
  const form = section.querySelector<HTMLFormElement>('#login-form')!;
  const error = section.querySelector<HTMLElement>('#login-error')!;
  section.hidden = false;
  return new Promise((resolve) => {
    form.onsubmit = async (e) => {
      e.preventDefault();
      const data = new FormData(form);
      error.textContent = '';
      try {
        const { token, user } = await request<{ token: string; user: SessionUser }>('/api/v1/auth/login', {
          method: 'POST',
          body: { username: String(data.get('username')), password: String(data.get('password')) },
        });
        saveSession(token, user);
        section.hidden = true;
        form.reset();
        resolve(user);
      } catch (err) {
        error.textContent = err instanceof ApiError && err.status === 401 ? t('login.failed') : t('login.unavailable', { message: (err as Error).message });
      }
    };
  });
}
