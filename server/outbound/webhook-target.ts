import crypto from 'node:crypto';
import type { DeliveryResult, DeliveryTarget } from './delivery-target.js';
import { clueEventMessage, type ClueEvent } from '../clues/clue-event.js';

/** A registered webhook, as the dispatcher delivers to it. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  secret: string;
  /** Only events naming one of these units; null for every event. */
  unitIds: string[] | null;
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * POSTs each event as its own JSON body, in order, stopping at the first failure (anything but
 * a 2xx within the timeout; redirects are not followed). The body carries `timestamp` (unix
 * seconds) and the same value goes in `X-Gridwatch-Timestamp`; the signature covers the raw
 * body and so the timestamp, which lets a receiver refuse replays of old deliveries.
 */
export class WebhookTarget implements DeliveryTarget {
  /**
   * `shutdown` cuts a request under way short: a receiver that hangs would otherwise hold a
   * stopping service for up to `timeoutMs` (WEBHOOK_TIMEOUT_MS, which may be minutes), past
   * its graceful-shutdown budget. The event is delivered again later (at least once).
   */
  constructor(
    private readonly endpoint: WebhookEndpoint,
    private readonly timeoutMs: number,
    private readonly shutdown?: AbortSignal,
  ) {}

  /** Delivers the batch one event at a time; events outside the unit filter count as done. */
  async deliver(events: readonly ClueEvent[], attempt: number, enough: AbortSignal): Promise<DeliveryResult> {
    const { unitIds } = this.endpoint;
    let done = 0;
    let delivered = 0;
    for (const e of events) {
      // Checked between requests only: a request under way finishes (or times out) on its own.
      if (enough.aborted) break;
      if (unitIds && !e.unitIds.some((u) => unitIds.includes(u))) {
        done++;
        continue;
      }
      const error = await this.post(e, done === 0 ? attempt : 1);
      if (error) return { done, delivered, error };
      done++;
      delivered++;
    }
    return { done, delivered };
  }

  private async post(e: ClueEvent, attempt: number): Promise<string | undefined> {
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(clueEventMessage(e, { timestamp }));
    // A timer cleared when the request ends (AbortSignal.timeout's would outlive it).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`no answer within ${this.timeoutMs} ms`, 'TimeoutError')), this.timeoutMs);
    try {
      const res = await fetch(this.endpoint.url, {
        method: 'POST',
        redirect: 'manual',
        signal: this.shutdown ? AbortSignal.any([abort.signal, this.shutdown]) : abort.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Gridwatch-Webhooks/1',
          'x-gridwatch-event-id': String(e.id),
          'x-gridwatch-timestamp': String(timestamp),
          'x-gridwatch-attempt': String(attempt),
          'x-gridwatch-signature': signBody(this.endpoint.secret, body),
        },
        body,
      });
      // The answer's body is of no use; reading it frees the connection for the next event.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return undefined;
      return `POST ${this.endpoint.url} (event ${e.id}) answered HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = (err as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
      return `POST ${this.endpoint.url} (event ${e.id}) failed: ${why}`;
    } finally {
      clearTimeout(timer);
    }
  }
}
