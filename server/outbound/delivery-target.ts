import type { ClueEvent } from '../clues/clue-event.js';

/**
 * How far a target got with a batch. Events are delivered in order: `done` counts the leading
 * events finished with (delivered, or not for this target), `delivered` those actually sent,
 * and `error` says why the event after the `done` ones failed.
 */
export interface DeliveryResult {
  done: number;
  delivered: number;
  error?: string;
}

/** Where clue events go: the MQTT broker, the Kafka topic, one webhook. */
export interface DeliveryTarget {
  /**
   * Delivers `events` in order; `attempt` is the attempt number of the first one (1 = first
   * try). A target that sends one event at a time starts no new one once `enough` is aborted
   * (shutdown, or the lease's time budget is spent) and reports what it finished.
   */
  deliver(events: readonly ClueEvent[], attempt: number, enough: AbortSignal): Promise<DeliveryResult>;
}

/**
 * Settles promises started together (so their messages go out in order on one connection)
 * into a DeliveryResult: done up to the first failure, which becomes the error.
 */
export async function settleInOrder(sends: readonly Promise<unknown>[]): Promise<DeliveryResult> {
  const results = await Promise.allSettled(sends);
  const firstFailure = results.findIndex((r) => r.status === 'rejected');
  if (firstFailure < 0) return { done: results.length, delivered: results.length };
  const reason = (results[firstFailure] as PromiseRejectedResult).reason as Error;
  return { done: firstFailure, delivered: firstFailure, error: reason?.message ?? String(reason) };
}
