/** The state of one dependency, as /healthz reports it. */
export interface ComponentHealth {
  status: 'ok' | 'starting' | 'down' | 'off';
  detail?: Record<string, unknown> | string;
}

/** What /healthz answers: ok only when no component is down or starting. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  components: Record<string, ComponentHealth>;
}

type Check = () => Promise<ComponentHealth> | ComponentHealth;

/** Dependencies register a check; /healthz runs them all, each bounded by a timeout. */
export class HealthRegistry {
  private checks = new Map<string, Check>();

  /** Adds or replaces the check for a named dependency (db, mqtt, kafka…). */
  register(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  /** Runs every check; overall ok only when none is down or starting. */
  async report(timeoutMs = 2000): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ComponentHealth>((resolve) => {
          timer = setTimeout(() => resolve({ status: 'down', detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
        });
        try {
          const result = await Promise.race([Promise.resolve().then(check), timeout]);
          return [name, result] as const;
        } catch (err) {
          return [name, { status: 'down', detail: (err as Error).message } as ComponentHealth] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const components = Object.fromEntries(entries);
    const ok = entries.every(([, h]) => h.status === 'ok' || h.status === 'off');
    return { status: ok ? 'ok' : 'degraded', components };
  }
}
