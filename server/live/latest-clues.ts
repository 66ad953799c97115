import type { ClueView } from '../clues/stored-clue.js';

/**
 * The hub's memory of each clue as the newest event it settled left it, for the "before" of the
 * next event of that clue. The hub settles every outbox id after its start in order (gap-safe
 * mark), so what it remembers is exactly the previous outbox event of the clue, the same answer
 * the outbox gives (previous-clues.sql), without reading it again. Bounded: the clues least
 * recently changed are forgotten first, and a forgotten or never-seen clue is read from the
 * outbox.
 */
export class LatestClues {
  private readonly clues = new Map<number, ClueView | undefined>();

  constructor(private readonly capacity: number) {}

  /** Whether the clue's newest settled event is remembered (its clue may be undefined: an event without one). */
  has(clueId: number): boolean {
    return this.clues.has(clueId);
  }

  get(clueId: number): ClueView | undefined {
    return this.clues.get(clueId);
  }

  /** Remembers the clue as event-settling left it; the least recently set clue goes when full. */
  set(clueId: number, clue: ClueView | undefined): void {
    // Delete first so the Map's insertion order is the order of the latest change.
    this.clues.delete(clueId);
    this.clues.set(clueId, clue);
    if (this.clues.size > this.capacity) this.clues.delete(this.clues.keys().next().value!);
  }
}
