/**
 * The grid worker's outbox: a handling (note, feedback, photos) recorded while the network is down
 * is kept in a store (IndexedDB in the browser, via idb-keyval) and sent again when online, never
 * lost. Pure logic over an injected store and sender, so it is testable without a browser.
 */

/** One queued handling, keyed by a client-generated id that the server can use to refuse a repeat. */
export interface OutboxItem {
  key: string;
  clueCode: string;
  note: string;
  /** Photos as the camera input gave them (Blob in the browser; anything the sender accepts). */
  photos: unknown[];
  /** The lifecycle action the note goes with, if any (feedback or close at source); none: photos only. */
  action?: 'feedback' | 'closeAtSource';
  queuedAt: string;
}

/** Where items are kept: idb-keyval's get/set/del/keys fit this shape. */
export interface OutboxStore {
  get(key: string): Promise<OutboxItem | undefined>;
  set(key: string, item: OutboxItem): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** Sends one item; throws a network error (TypeError from fetch) to keep it queued. */
export type OutboxSender = (item: OutboxItem) => Promise<void>;

/** True for a failure that means "try again later" rather than "the server refused it". */
export function isNetworkFailure(err: unknown): boolean {
  return err instanceof TypeError;
}

/**
 * Sends `item` now; if the network fails it is kept in the store for `flush`. A refusal by the
 * server is rethrown so the worker sees it instead of it being retried forever.
 */
export async function sendOrQueue(store: OutboxStore, send: OutboxSender, item: OutboxItem): Promise<'sent' | 'queued'> {
  // Kept first, so a tab closed mid-send still has it on reload.
  await store.set(item.key, item);
  try {
    await send(item);
  } catch (err) {
    if (isNetworkFailure(err)) return 'queued';
    await store.del(item.key);
    throw err;
  }
  await store.del(item.key);
  return 'sent';
}

let flushing: Promise<number> | null = null;

/**
 * Sends every queued item in order of queueing; stops at the first network failure. Calls that
 * overlap share one run, so an `online` event and a reload together do not send an item twice.
 * Returns how many items are still queued.
 */
export function flush(store: OutboxStore, send: OutboxSender): Promise<number> {
  flushing ??= (async () => {
    try {
      const items = (await Promise.all((await store.keys()).map((k) => store.get(k)))).filter((i): i is OutboxItem => i !== undefined);
      items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
      for (const item of items) {
        try {
          await send(item);
        } catch (err) {
          if (isNetworkFailure(err)) break;
        }
        await store.del(item.key);
      }
      return (await store.keys()).length;
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}
