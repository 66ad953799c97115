import type { ClueView } from '../clues/stored-clue.js';

/** One settled outbox event as the hub keeps it: enough to compute any viewer's diff again. */
export interface LiveEvent {
  /** The outbox id: the sequence number clients see. */
  seq: number;
  change: string;
  prev: ClueView | undefined;
  clue: ClueView;
}

/**
 * The bounded memory of recent events that lets a client resume after a dropped connection.
 * It holds every event with `seq > floor`; a client whose last number is below the floor
 * missed events no longer kept and must reload.
 */
export class LiveRing {
  private readonly events: LiveEvent[] = [];
  private head = 0;

  /** @param floor the cursor the hub started at: the ring covers everything after it. */
  constructor(
    private readonly capacity: number,
    private floorSeq: number,
  ) {}

  /** Everything after this sequence number is in the ring. */
  get floor(): number {
    return this.floorSeq;
  }

  /** Adds an event (in seq order); the oldest goes when the ring is full. */
  push(e: LiveEvent): void {
    if (this.events.length - this.head >= this.capacity) {
      this.floorSeq = this.events[this.head]!.seq;
      this.head++;
      // Compact now and then instead of shifting on every push.
      if (this.head >= this.capacity) {
        this.events.splice(0, this.head);
        this.head = 0;
      }
    }
    this.events.push(e);
  }

  /** The events after `since`, or null when some of them are no longer kept. */
  after(since: number): LiveEvent[] | null {
    if (since < this.floorSeq) return null;
    const out: LiveEvent[] = [];
    for (let i = this.events.length - 1; i >= this.head && this.events[i]!.seq > since; i--) out.push(this.events[i]!);
    return out.reverse();
  }
}
