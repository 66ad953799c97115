import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Component } from '../../core/components.js';
import type { ComponentHealth } from '../../core/health.js';
import { GwError } from '../../core/errors.js';
import { every, type Periodic } from '../../core/every.js';
import type { Logger } from '../../core/logger.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { clueFromRow, type ClueRow } from '../clues/stored-clue.js';
import { EvidenceFiles } from './evidence-files.js';
import { attachEvidence, prepareEvidence, writeEvidence } from './evidence-store.js';
import { DEFAULT_IMAGE_LIMITS, sha256Hex, type ImageLimits } from './process-image.js';
import { placeText } from './watermark.js';

const sql = defineQueries(import.meta.url, {
  pending: 'pending-images',
  done: 'done-pending',
  giveUp: 'give-up-pending',
  lock: 'lock-clue-by-id',
  find: 'find-clue-by-id',
});

interface PendingRow {
  id: string;
  clue_id: string;
  stored: string;
  sha256: string;
  device_id: string | null;
  taken_at: Date;
}

/** Codes that mean this image will never become evidence (its bytes are the problem). */
const HOPELESS = new Set(['GW_EVIDENCE_NOT_IMAGE', 'GW_EVIDENCE_TRUNCATED', 'GW_EVIDENCE_TOO_LARGE', 'GW_EVIDENCE_TOO_MANY_PIXELS']);

/**
 * Camera images that arrive with device events, made into evidence. Ingest checks an inline
 * image's structure and stores it under `DATA_DIR/images/<sha256>.<ext>`; the clue pipeline puts
 * it on the timeline of the clue its alert opened or joined, and a trigger on the timeline
 * (migration 065) queues it in `evidence_pending` in that same transaction. This job takes the
 * queue in order, away from the ingest hot path (decoding and watermarking cost tens of
 * milliseconds an image): the original is copied byte for byte into the evidence store, the
 * copies are made (watermark: the event's time, the place, the device), and the evidence is
 * attached with its timeline row and clue event, deleting the queue row in the same
 * transaction. An image that cannot be decoded keeps its row with the problem; a full disk
 * leaves the row for the next run.
 */
export class CameraEvidence {
  private readonly files: EvidenceFiles;
  private lastError: string | null = null;

  constructor(
    private readonly deps: { pool: pg.Pool; dataDir: string; log: Logger; limits?: ImageLimits; now?: () => number },
  ) {
    this.files = new EvidenceFiles(deps.dataDir);
  }

  /** Attaches up to `max` queued images; returns how many rows it settled (attached or given up). */
  async run(max = 20): Promise<number> {
    const { rows } = await this.deps.pool.query<PendingRow>(sql.pending, [max]);
    let settled = 0;
    for (const row of rows) {
      try {
        await this.attach(row);
        settled++;
      } catch (err) {
        if (err instanceof GwError && HOPELESS.has(err.code)) {
          await this.deps.pool.query(sql.giveUp, [row.id, `${err.code}: ${err.message}`]);
          this.deps.log.warn({ pending: row.id, code: err.code }, `camera image ${row.stored} cannot become evidence`);
          settled++;
          continue;
        }
        // Storage or database trouble: the row stays queued and the next run tries again.
        this.lastError = (err as Error).message;
        throw err;
      }
    }
    this.lastError = null;
    return settled;
  }

  /** Whether the last run went through; the queue's trouble shows on /healthz. */
  health(): ComponentHealth {
    return this.lastError ? { status: 'down', detail: this.lastError } : { status: 'ok' };
  }

  private async attach(row: PendingRow): Promise<void> {
    const bytes = await fs.readFile(path.join(this.deps.dataDir, row.stored)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new GwError('GW_EVIDENCE_NOT_IMAGE', `camera image ${row.stored} is not in the image store`);
      throw err;
    });
    if (sha256Hex(bytes) !== row.sha256) throw new GwError('GW_EVIDENCE_NOT_IMAGE', `camera image ${row.stored} no longer hashes to ${row.sha256}`);
    const clueRow = (await this.deps.pool.query<ClueRow>(sql.find, [row.clue_id])).rows[0];
    if (!clueRow) throw new GwError('GW_EVIDENCE_NOT_IMAGE', `camera image ${row.stored}: clue ${row.clue_id} is gone`);
    const seen = clueFromRow(clueRow);
    const by = row.device_id ? `设备 device ${row.device_id}` : '设备 device';
    const prepared = await prepareEvidence(this.deps.pool, bytes, { fileName: path.basename(row.stored), source: 'camera' }, (exif) => ({ at: row.taken_at.getTime(), place: placeText(seen, exif.gps), by }), this.deps.limits ?? DEFAULT_IMAGE_LIMITS);
    await writeEvidence(this.files, [prepared]);
    await withTransaction(this.deps.pool, async (client) => {
      const clue = clueFromRow((await client.query<ClueRow>(sql.lock, [row.clue_id])).rows[0]!);
      const who = row.device_id ? `device:${row.device_id}` : 'pipeline';
      await attachEvidence(client, clue, [prepared], { actor: 'pipeline', addedBy: who, source: row.device_id ? `device:${row.device_id}` : null }, this.deps.now?.() ?? Date.now());
      await client.query(sql.done, [row.id]);
    });
  }
}

/** The camera-evidence job as a start-up `Component`: every `intervalMs`, after the pipeline has started. */
export function cameraEvidenceComponent(deps: { pool: () => pg.Pool; dataDir: string; log: Logger; intervalMs?: number }): Component {
  let job: CameraEvidence | undefined;
  let timer: Periodic | undefined;
  return {
    name: 'camera-evidence',
    async start() {
      const camera = new CameraEvidence({ pool: deps.pool(), dataDir: deps.dataDir, log: deps.log });
      job = camera;
      timer = every('camera-evidence', deps.intervalMs ?? 2_000, async () => void (await camera.run()), deps.log);
    },
    stop: async () => timer?.stop(),
    health: () => job!.health(),
  };
}
