import type { DeliveryResult, DeliveryTarget } from './delivery-target.js';
import { settleInOrder } from './delivery-target.js';
import { clueEventMessage, type ClueEvent } from '../clues/clue-event.js';

/** Publishes one QoS 1 message; resolves once the broker has it (embedded: dispatched; external: PUBACK). */
export type MqttPublish = (topic: string, payload: string) => Promise<void>;

/** The topic a unit's systems subscribe to for its clue events (docs/DESIGN.md section 8). */
export function clueTopic(unitId: string): string {
  return `clues/${unitId}/events`;
}

/** Sends each event to `clues/{unitId}/events` for every unit the event names. */
export class MqttTarget implements DeliveryTarget {
  constructor(private readonly publish: MqttPublish) {}

  /** Publishes the whole batch at once (the broker keeps the order) and reports the leading successes. */
  async deliver(events: readonly ClueEvent[]): Promise<DeliveryResult> {
    const sends = events.map((e) => {
      const payload = JSON.stringify(clueEventMessage(e));
      return Promise.all(e.unitIds.map((unitId) => this.publish(clueTopic(unitId), payload)));
    });
    return settleInOrder(sends);
  }
}
