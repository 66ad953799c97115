/**
 * The live clue map for command-centre operators: log in, then the map of the jurisdiction
 * with the clues the server lets this user see, a list of the newest, and a clue's detail.
 */
import './style.css';
import { onSessionEnd, request, type GetAnswer } from './api.js';
import { addBoundaries, createBaseMap } from './base-map.js';
import type { Clue } from './clue.js';
import { ClueDetail } from './clue-detail.js';
import { startClueFeed } from './clue-feed.js';
import { ClueLayer } from './clue-layer.js';
import { ClueList } from './clue-list.js';
import { formatTime, onLangChange, t, toggleLang, translatePage } from './i18n.js';
import { showLogin } from './login.js';
import { clearToken, sessionUser, token, type SessionUser } from './session.js';

/** How often the clue list is re-read (there is no WebSocket yet; see clue-feed.ts). */
const REFRESH_MS = 4000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** After login: the map, the boundaries, the clue points, the list and the detail panel. */
async function openLiveMap(user: SessionUser): Promise<void> {
  $('app').hidden = false;
  $('user-name').textContent = user.displayName;
  $('logout').onclick = async () => {
    await request('/api/v1/auth/logout', { method: 'POST' }).catch(() => undefined);
    clearToken();
    location.reload();
  };
  const status = $('feed-status');
  let updatedAt: string | null = null;
  let failed = false;
  const showStatus = () => {
    status.textContent = failed ? t('feed.failed') : updatedAt ? t('feed.updated', { time: formatTime(updatedAt, false) }) : '';
    status.classList.toggle('error', failed);
  };

  const { styleUrl } = await request<GetAnswer<'/api/v1/map-config'>>('/api/v1/map-config');
  const map = await createBaseMap($('map'), styleUrl);
  await addBoundaries(map, !styleUrl);

  let byCode: ReadonlyMap<string, Clue> = new Map();
  const select = (code: string | null, centre = false) => {
    layer.select(code);
    list.select(code);
    if (!code) return detail.hide();
    const clue = byCode.get(code);
    // Jump, not fly: the operator picked this clue from the list and wants to see where it is now.
    if (centre && clue) map.jumpTo({ center: [clue.position.lon, clue.position.lat], zoom: Math.max(map.getZoom(), 12) });
    void detail.show(code);
  };
  const layer = new ClueLayer(map, (code) => select(code));
  const list = new ClueList($('clue-list'), $('clue-count'), (code) => select(code, true));
  const detail = new ClueDetail($('clue-detail'), () => select(null));
  onLangChange(() => {
    list.render();
    detail.render();
    showStatus();
  });

  startClueFeed({
    intervalMs: REFRESH_MS,
    onClues: ({ all, newest, byCode: latest }) => {
      byCode = latest;
      layer.update(all);
      list.update(newest, all.length);
      detail.refreshIfChanged(newest);
      updatedAt = new Date().toISOString();
      failed = false;
      showStatus();
    },
    onError: () => {
      failed = true;
      showStatus();
    },
  });
}

async function main(): Promise<void> {
  translatePage();
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang-toggle')) b.onclick = toggleLang;
  // An expired or revoked token: start again from a clean page, which shows the login form.
  onSessionEnd(() => location.reload());
  const saved = token() ? sessionUser() : null;
  await openLiveMap(saved ?? (await showLogin($('login'))));
}

main().catch((err: unknown) => {
  const status = $('feed-status');
  status.textContent = (err as Error).message;
  status.classList.add('error');
  console.error(err);
});
