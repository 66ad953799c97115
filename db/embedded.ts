import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { GwError } from '../core/errors.js';

/** The socket file name encodes a "port" only because libpq-style clients expect one; no TCP port is opened. */
const SOCKET_PORT = 5999;

/** A running in-process PGlite+PostGIS served on a private unix socket. */
export interface EmbeddedServer {
  /** A `pg` connection string for the socket (host = socket directory). */
  connectionString: string;
  socketDir: string;
  port: number;
  stop(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes DATA_DIR's lock file so two processes never open the same PGlite data directory. */
function takeLock(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'gridwatch.lock');
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (pid && isAlive(pid)) {
      throw new GwError(
        'GW_DB_LOCKED',
        `Opening the embedded database in ${dataDir}: process ${pid}${pid === process.pid ? ' (this one)' : ''} already uses it. Stop it, or set DATA_DIR to another folder.`,
      );
    }
  } catch (err) {
    if (err instanceof GwError) throw err;
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => fs.rmSync(lockFile, { force: true });
}

/**
 * Starts PGlite with PostGIS, persisted under `dataDir/pgdata`, and serves it on a unix
 * socket in a private temporary directory, so the app talks to it through `pg` exactly as
 * to a real server, and no TCP port (least of all 5432) is taken.
 */
export async function startEmbeddedServer(dataDir: string, maxConnections = 1): Promise<EmbeddedServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  const release = takeLock(dataDir);
  try {
    // btree_gist: migration 110's scope-column GiST indexes (scoped nearby) need it on both backends.
    const db = await PGlite.create({ dataDir: path.join(dataDir, 'pgdata'), extensions: { postgis, btree_gist } });
    await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-pg-'));
    const server = new PGLiteSocketServer({
      db,
      path: path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
      maxConnections,
    });
    await server.start();
    return {
      connectionString: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}&port=${SOCKET_PORT}`,
      socketDir,
      port: SOCKET_PORT,
      async stop() {
        await server.stop();
        await db.close();
        fs.rmSync(socketDir, { recursive: true, force: true });
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
