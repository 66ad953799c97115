import { createStore, del, get, keys, set } from 'idb-keyval';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { token } from '../session.js';
import { flush, sendOrQueue, type OutboxItem, type OutboxSender, type OutboxStore } from './outbox.js';

/**
 * The outbox in the browser: items in IndexedDB (idb-keyval, its own database so nothing else
 * clears it), sent to the evidence and clue-action APIs, flushed when the browser says it is
 * online again and when the view opens. A count of queued items is shared with every component
 * that shows it.
 */

const idb = createStore('gridwatch-worker', 'outbox');

/** The IndexedDB-backed store. */
export const browserStore: OutboxStore = {
  get: (k) => get<OutboxItem>(k, idb),
  set: (k, v) => set(k, v, idb),
  del: (k) => del(k, idb),
  keys: async () => (await keys(idb)).map(String),
};

/** Uploads the photos (the server keeps one copy per SHA-256, so a repeat adds none), then the action. */
export const sendItem: OutboxSender = async (item) => {
  if (item.photos.length) {
    const form = new FormData();
    for (const [i, photo] of item.photos.entries()) form.append('file', photo as Blob, (photo as File).name || `photo-${i + 1}.jpg`);
    const res = await fetch(`/api/v1/clues/${encodeURIComponent(item.clueCode)}/evidence`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token() ?? ''}` },
      body: form,
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new ApiError(res.status, body?.error?.code ?? `HTTP_${res.status}`, body?.error?.message ?? res.statusText);
    }
  }
  if (item.action) await request(`/api/v1/clues/${encodeURIComponent(item.clueCode)}/actions`, { method: 'POST', body: { type: item.action, note: item.note } });
};

let queued = 0;
const listeners = new Set<(n: number) => void>();
function publish(n: number): void {
  queued = n;
  for (const fn of listeners) fn(n);
}

/** Re-counts the queue and tells the components that show it. */
async function recount(): Promise<void> {
  publish((await browserStore.keys()).length);
}

/** Sends everything queued now (shared run: see `flush`). */
export async function flushOutbox(): Promise<void> {
  const left = await flush(browserStore, sendItem);
  publish(left);
  for (const fn of sentListeners) fn(left);
}

const sentListeners = new Set<(left: number) => void>();

/** Calls `fn` after each flush with how many items are still queued, so a view reloads what the sent items changed. */
export function onFlushed(fn: (left: number) => void): () => void {
  sentListeners.add(fn);
  return () => void sentListeners.delete(fn);
}

/** Records a handling: sent now when possible, else queued until the browser is online. */
export async function submitHandling(clueCode: string, note: string, photos: File[], action?: OutboxItem['action']): Promise<'sent' | 'queued'> {
  const item: OutboxItem = { key: crypto.randomUUID(), clueCode, note, photos, queuedAt: new Date().toISOString(), ...(action ? { action } : {}) };
  // Offline: do not even try (a failed fetch is a console error); keep it for the `online` event.
  if (!navigator.onLine) {
    await browserStore.set(item.key, item);
    await recount();
    return 'queued';
  }
  const result = await sendOrQueue(browserStore, sendItem, item).finally(recount);
  return result;
}

let started = false;
/** Flushes when the browser comes back online (once per page). */
function startOnce(): void {
  if (started) return;
  started = true;
  window.addEventListener('online', () => void flushOutbox());
}

/** A hook: the number of queued items, kept current; flushes once on first use if online. */
export function useOutboxCount(): number {
  const [n, setN] = useState(queued);
  useEffect(() => {
    listeners.add(setN);
    startOnce();
    if (navigator.onLine) void flushOutbox();
    else void recount();
    return () => void listeners.delete(setN);
  }, []);
  return n;
}
