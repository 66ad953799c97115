/** What the service says it did with device inputs, from its Prometheus counters. */
export interface ServiceCounts {
  accepted: number;
  duplicate: number;
  deadLetters: Record<string, number>;
}

const LINE = /^(gridwatch_ingest_events_total|gridwatch_ingest_dead_letters_total)\{([^}]*)\}\s+([0-9.eE+-]+)$/;

/**
 * Parses the ingest counters of one transport out of `/metrics` text (pure): events by outcome
 * and dead letters by code.
 */
export function parseIngestCounts(text: string, transport: string): ServiceCounts {
  const counts: ServiceCounts = { accepted: 0, duplicate: 0, deadLetters: {} };
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (labels.transport !== transport) continue;
    const n = Number(m[3]);
    if (m[1] === 'gridwatch_ingest_dead_letters_total') counts.deadLetters[labels.code!] = (counts.deadLetters[labels.code!] ?? 0) + n;
    else if (labels.outcome === 'accepted') counts.accepted += n;
    else if (labels.outcome === 'duplicate') counts.duplicate += n;
  }
  return counts;
}

/** The change between two readings of the counters. */
export function countsSince(before: ServiceCounts, after: ServiceCounts): ServiceCounts {
  const codes = new Set([...Object.keys(before.deadLetters), ...Object.keys(after.deadLetters)]);
  const deadLetters: Record<string, number> = {};
  for (const c of codes) {
    const d = (after.deadLetters[c] ?? 0) - (before.deadLetters[c] ?? 0);
    if (d) deadLetters[c] = d;
  }
  return { accepted: after.accepted - before.accepted, duplicate: after.duplicate - before.duplicate, deadLetters };
}

/** Everything the counters account for. */
export const totalOf = (c: ServiceCounts): number => c.accepted + c.duplicate + Object.values(c.deadLetters).reduce((a, b) => a + b, 0);

/** The header that lets a request read /metrics and /healthz in full on a service with an OPS_TOKEN. */
export const opsHeaders = (opsToken: string | undefined): Record<string, string> => (opsToken ? { authorization: `Bearer ${opsToken}` } : {});

/** Reads the service's ingest counters for one transport; null when /metrics cannot be read. */
export async function readServiceCounts(baseUrl: string, transport: string, opsToken?: string): Promise<ServiceCounts | null> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, { headers: opsHeaders(opsToken) });
    if (!res.ok) return null;
    return parseIngestCounts(await res.text(), transport);
  } catch {
    return null;
  }
}
