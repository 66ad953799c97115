import { useEffect, useRef, useState } from 'preact/hooks';
import { request, type GetAnswer } from '../api.js';
import { useLive } from '../app/live.js';
import type { Clue } from '../clue.js';
import { sessionUser } from '../session.js';

type ClueList = GetAnswer<'/api/v1/clues'>;

/** Rows read: the newest clues waiting for a decision; `total` says when there are more. */
const LIMIT = 50;
/** The statuses this list shows (as its query asks). */
const WAITING = new Set(['new', 'rejected']);

/**
 * The clues in the user's scope waiting for the command centre to dispatch them (new, or rejected
 * back to it), for operators and admins (GET /api/v1/clues?status=new,rejected). The tasks list
 * shows only the clues already assigned to the user's own unit, so a routine clue routed to a
 * department would otherwise reach the command centre only through the map. Read again shortly
 * after the live socket (re)connects or reports a diff that can move a clue into or out of it
 * (at most once a second).
 */
export function useAwaitingDispatch(): { clues: Clue[]; total: number } | null {
  const command = ['operator', 'admin'].includes(sessionUser()?.role ?? '');
  const [answer, setAnswer] = useState<{ clues: Clue[]; total: number } | null>(null);
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** The codes listed now, so that a clue closed elsewhere is read again only when it was shown. */
  const shown = useRef(new Set<string>());

  useEffect(() => {
    if (!command) return;
    let live = true;
    request<ClueList>(`/api/v1/clues?status=${[...WAITING].join(',')}&limit=${LIMIT}`)
      .then((a) => {
        if (!live) return;
        shown.current = new Set(a.clues.map((c) => c.code));
        setAnswer({ clues: a.clues, total: a.total });
      })
      .catch(() => undefined);
    return () => void (live = false);
  }, [command, version]);
  useEffect(() => () => void (pending.current && clearTimeout(pending.current)), []);

  const soon = () => {
    if (!command || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      setVersion((v) => v + 1);
    }, 1000);
  };
  // Only a status can move a clue into or out of this list: other diffs (alert counts, severity,
  // truck positions) are many in a busy city and would each cost every command centre a read.
  useLive('opened', (m) => WAITING.has(m.fields.status) && soon());
  useLive('changed', (m) => m.fields.status !== undefined && soon());
  useLive('closed', (m) => shown.current.has(m.code) && soon());
  useLive('reload', soon);
  // A clue opened between the first read and the socket's subscription would otherwise be missed.
  useLive('connection', (m) => m.up && soon());
  return command ? answer : null;
}
