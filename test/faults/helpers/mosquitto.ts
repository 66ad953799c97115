/**
 * A private Mosquitto for fault tests that restart the broker: the shipped
 * deploy/mosquitto/mosquitto.conf and acl (port and paths rewritten, persistence on) and a
 * password file made by mosquitto_passwd, on a free port, so the shared broker on 1883 is
 * never disturbed. (The same set-up as test/ingest/mqtt-mosquitto.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, requireBinary, run, stopProcess, waitFor } from '../../ingest/mqtt-kafka-support.js';

const MOSQUITTO = requireBinary('/usr/sbin/mosquitto', 'mosquitto');
const MOSQUITTO_PASSWD = requireBinary('/usr/bin/mosquitto_passwd', 'mosquitto');
const MOSQUITTO_PUB = requireBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
const shipped = path.resolve(import.meta.dirname, '../../../deploy/mosquitto');

/** A Mosquitto process on a free port with its state in `dir`; `users` are written to its password file. */
export class PrivateMosquitto {
  private proc?: ChildProcess;
  output = '';
  port = 0;
  constructor(
    readonly dir: string,
    private readonly app: { user: string; password: string },
  ) {}

  /** Writes the configuration and password file (the app's user and `users`) and starts the broker. */
  async setUp(users: Record<string, string>): Promise<void> {
    this.port = await freePort();
    const passwd = path.join(this.dir, 'passwd');
    for (const [user, pass] of [[this.app.user, this.app.password], ...Object.entries(users)]) {
      const r = await run(MOSQUITTO_PASSWD, [...(fs.existsSync(passwd) ? [] : ['-c']), '-b', passwd, user!, pass!]);
      if (r.code !== 0) throw new Error(`mosquitto_passwd: ${r.stderr}`);
    }
    // Started as root, Mosquitto drops to its own user: every file it opens is made readable here.
    const acl = path.join(this.dir, 'acl');
    fs.copyFileSync(path.join(shipped, 'acl'), acl);
    const conf = fs
      .readFileSync(path.join(shipped, 'mosquitto.conf'), 'utf8')
      .replace(/^listener 1883$/m, `listener ${this.port} 127.0.0.1`)
      .replace(/^password_file .*$/m, `password_file ${passwd}`)
      .replace(/^acl_file .*$/m, `acl_file ${acl}`)
      .replace(/^persistence_location .*$/m, `persistence_location ${path.join(this.dir, 'data')}/`);
    fs.mkdirSync(path.join(this.dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'mosquitto.conf'), conf);
    fs.chmodSync(this.dir, 0o755);
    for (const f of ['passwd', 'acl', 'mosquitto.conf']) fs.chmodSync(path.join(this.dir, f), 0o644);
    fs.chmodSync(path.join(this.dir, 'data'), 0o777);
    await this.start();
  }

  /** Starts the broker and waits until it accepts the app's user. */
  async start(): Promise<void> {
    const proc = spawn(MOSQUITTO, ['-c', path.join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc = proc;
    await waitFor(`mosquitto to listen on ${this.port}`, async () => {
      if (proc.exitCode !== null) return true;
      const r = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(this.port), '-u', this.app.user, '-P', this.app.password, '-t', 'clues/probe', '-m', 'x']);
      return r.code === 0;
    }, 30_000);
    if (proc.exitCode !== null) throw new Error(`mosquitto exited ${proc.exitCode}: ${this.output}`);
  }

  /** SIGTERM: Mosquitto writes its persistence file on the way out. */
  stop(): Promise<void> {
    return this.proc ? stopProcess(this.proc) : Promise.resolve();
  }
}
