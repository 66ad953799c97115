import type { ComponentHealth, HealthRegistry } from './health.js';
import type { Logger } from './logger.js';

/**
 * One part of the running service. The start-up list in server/runtime.ts is the only place
 * that says what runs: parts start in list order, report health under their name, and stop in
 * reverse order, so a part stops before what it depends on (intake before the sink drains, the
 * sink before the pool closes).
 */
export interface Component {
  name: string;
  start(): Promise<void>;
  stop?(): Promise<void>;
  health?(): ComponentHealth | Promise<ComponentHealth>;
}

/** The running parts, and how to stop them all. */
export interface Started {
  names: string[];
  /** Stops every started part in reverse order; a part that fails to stop is logged and passed. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `components` in order. When one fails to start, the ones already started are stopped
 * in reverse order and the failure is thrown, so a failed start leaves nothing running.
 */
export async function startComponents(components: readonly Component[], health: HealthRegistry, log: Logger): Promise<Started> {
  const started: Component[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const c of [...started].reverse()) {
        try {
          await c.stop?.();
        } catch (err) {
          log.warn({ err, component: c.name }, `stopping ${c.name} failed`);
        }
      }
    })());
  for (const c of components) {
    try {
      await c.start();
    } catch (err) {
      log.error({ err, component: c.name }, `starting ${c.name} failed; stopping what started`);
      await stop();
      throw err;
    }
    started.push(c);
    if (c.health) health.register(c.name, c.health.bind(c));
  }
  return { names: started.map((c) => c.name), stop };
}
