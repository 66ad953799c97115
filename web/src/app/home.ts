import { sessionUser } from '../session.js';

/** Where `/` sends each role. */
const HOME: Record<string, string> = { operator: '/command', officer: '/command', worker: '/worker', planner: '/planner', admin: '/admin' };

/** The home path of the logged-in user's role (`/login` when nobody is logged in). */
export function homePath(): string {
  const user = sessionUser();
  return user ? (HOME[user.role] ?? '/command') : '/login';
}
