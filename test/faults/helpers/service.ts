/**
 * The whole service (`server/main.ts`) as a child process, for fault tests that kill, restart or
 * starve it: a crash shows as an exit, SIGKILL is a real SIGKILL. Ports are OS-chosen; the URL
 * and the embedded broker's port are read from the start-up log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A running service child. */
export interface Service {
  child: ChildProcess;
  /** Resolves with the exit code or signal when the child exits. */
  exited: Promise<string>;
  url: string;
  /** The embedded broker's port, when the service runs one. */
  mqttPort: number | undefined;
  stdout: string[];
  stderr: string[];
}

/** Starts the service on `databaseUrl` with `env` over quiet defaults; resolves once it logs that it is up. */
export async function startService(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      MQTT_URL: '',
      KAFKA_BROKERS: '',
      KAFKA_MOCK: '0',
      DATA_DIR: dataDir,
      DEMO: '0',
      SIMULATORS: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(String(code ?? signal))));
  readline.createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  let url: string | undefined;
  let mqttPort: number | undefined;
  const up = new Promise<void>((resolve) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      stdout.push(line);
      const entry = parseLog(line);
      if (entry?.msg === 'embedded MQTT broker listening') mqttPort = Number(entry.port);
      if (entry?.msg === 'Gridwatch is up') {
        url = String(entry.url);
        resolve();
      }
    });
  });
  const early = exited.then((code) => {
    throw new Error(`the service exited (${code}) during start-up:\n${stderr.slice(-20).join('\n')}\n${stdout.slice(-10).join('\n')}`);
  });
  await Promise.race([up, early]);
  early.catch(() => undefined);
  return { child, exited, url: url!, mqttPort, stdout, stderr };
}

/** Stops the child (SIGTERM, SIGKILL after 15 s) unless it has already exited. */
export async function stopService(service: Service | undefined): Promise<void> {
  if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
  await service.exited;
  clearTimeout(timer);
}

function parseLog(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
