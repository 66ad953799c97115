import { request } from './api.js';
import type { Clue } from './clue.js';

/** The largest page GET /api/v1/clues serves. */
const PAGE = 1000;
/** Enough pages for the 100k points the map is built for (docs/DESIGN.md §9). */
const MAX_PAGES = 100;

/** What the feed hands on after each read. */
export interface ClueSnapshot {
  /** Every clue seen this session, one per code, at its latest state. */
  all: Clue[];
  /** The same clues by code. */
  byCode: ReadonlyMap<string, Clue>;
  /** The newest clues, newest first (the API's order). */
  newest: Clue[];
}

/**
 * Keeps the clues the logged-in user may see (the server scopes the list). It reads every page
 * once, then re-reads the newest page every `intervalMs` and merges it in by code.
 *
 * Polling, because there is no WebSocket yet: docs/DESIGN.md promises clue diffs over one, and when
 * it exists it replaces the timer. Until then a clue older than the newest page keeps the state
 * it had when it was last read.
 */
export function startClueFeed(opts: { intervalMs: number; onClues: (s: ClueSnapshot) => void; onError: (err: unknown) => void }): () => void {
  const byCode = new Map<string, Clue>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const page = (cursor: string | null) =>
    request<{ clues: Clue[]; nextCursor: string | null }>(`/api/v1/clues?limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  const publish = (newest: Clue[]) => {
    for (const c of newest) byCode.set(c.code, c);
    opts.onClues({ all: [...byCode.values()], byCode, newest });
  };

  // Pages past the first, oldest last, until the last (or the cap).
  const loadOlder = async (after: string | null) => {
    for (let n = 1, cursor = after; cursor && n < MAX_PAGES; n++) {
      const older = await page(cursor);
      for (const c of older.clues) byCode.set(c.code, c);
      cursor = older.nextCursor;
    }
  };
  const tick = async (loadAll: boolean) => {
    let again = loadAll;
    try {
      const { clues: newest, nextCursor } = await page(null);
      if (loadAll) await loadOlder(nextCursor);
      publish(newest);
      again = false;
    } catch (err) {
      opts.onError(err);
    }
    if (!stopped) timer = setTimeout(() => void tick(again), opts.intervalMs);
  };
  void tick(true);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
