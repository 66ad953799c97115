import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { envSchema, loadConfig } from '../../core/config.js';

const root = path.resolve(import.meta.dirname, '../..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { image?: string; build?: string; environment?: Record<string, string>; volumes?: string[]; deploy?: { replicas?: number } }>;
};

describe('docker-compose.yml (checked by review and this test: Docker does not run here)', () => {
  it('has PostGIS, Mosquitto, Kafka (KRaft) and two app replicas', () => {
    const s = compose.services;
    assert.match(s.postgis!.image!, /^postgis\/postgis:/);
    assert.match(s.mosquitto!.image!, /^eclipse-mosquitto:/);
    assert.equal(s.kafka!.environment!.KAFKA_PROCESS_ROLES, 'broker,controller');
    const apps = Object.keys(s).filter((k) => k.startsWith('app-'));
    assert.deepEqual(apps, ['app-1', 'app-2']);
    for (const a of apps) assert.equal(s[a]!.build, '.');
  });

  it('sets only variables the config schema knows, with values it accepts', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of ['app-1', 'app-2']) {
      const env = compose.services[name]!.environment!;
      for (const key of Object.keys(env)) assert.ok(known.has(key), `${name}: ${key} is not in core/config.ts envSchema`);
      const config = loadConfig(env);
      assert.equal(config.demo, false, 'production compose runs without the demo');
      assert.ok(config.DATABASE_URL && config.MQTT_URL && config.KAFKA_BROKERS);
    }
  });

  it('gives each replica its own stable MQTT client id and the same database and brokers', () => {
    const [a, b] = ['app-1', 'app-2'].map((n) => compose.services[n]!.environment!);
    assert.notEqual(a!.MQTT_CLIENT_ID, b!.MQTT_CLIENT_ID);
    assert.equal(a!.DATABASE_URL, b!.DATABASE_URL);
    assert.equal(a!.KAFKA_BROKERS, b!.KAFKA_BROKERS);
  });

  it('points the app at the services by their compose names', () => {
    const env = compose.services['app-1']!.environment!;
    const hosts = [new URL(env.DATABASE_URL!).hostname, new URL(env.MQTT_URL!).hostname, env.KAFKA_BROKERS!.split(':')[0]];
    assert.deepEqual(hosts, ['postgis', 'mosquitto', 'kafka']);
  });

  it('mounts Mosquitto files that exist in the repository, with anonymous access off', () => {
    for (const v of compose.services.mosquitto!.volumes!) {
      const local = v.split(':')[0]!;
      if (!local.startsWith('./')) continue;
      // The password file holds secrets: the repository ships an example and ignores the real one.
      const shipped = fs.existsSync(path.join(root, local)) || fs.existsSync(path.join(root, `${local}.example`));
      assert.ok(shipped, `${local} is mounted but neither it nor ${local}.example exists`);
    }
    const conf = fs.readFileSync(path.join(root, 'deploy/mosquitto/mosquitto.conf'), 'utf8');
    assert.match(conf, /^allow_anonymous false$/m);
    assert.match(conf, /^acl_file /m);
  });

  it('keeps every stateful service\'s data in a named volume (not in the container, where it would go with it)', () => {
    const s = compose.services;
    /** True when `dir` is the target of a named volume of `service`, or lies under one. */
    const inVolume = (service: string, dir: string) =>
      (s[service]!.volumes ?? []).some((v) => {
        const [source, target] = v.split(':');
        const named = !source!.startsWith('.') && !source!.startsWith('/');
        return named && (dir === target || dir.startsWith(`${target!.replace(/\/$/, '')}/`));
      });
    // apache/kafka writes to KAFKA_LOG_DIRS, /tmp/kraft-combined-logs when it is unset
    // (docker/resources/common-scripts/configureDefaults in apache/kafka).
    const logDirs = s.kafka!.environment!.KAFKA_LOG_DIRS;
    assert.ok(logDirs, 'KAFKA_LOG_DIRS is set (the image default is /tmp/kraft-combined-logs)');
    for (const dir of logDirs.split(',')) assert.ok(inVolume('kafka', dir), `Kafka log dir ${dir} is in a volume`);
    const conf = fs.readFileSync(path.join(root, 'deploy/mosquitto/mosquitto.conf'), 'utf8');
    const persistence = /^persistence_location (.+)$/m.exec(conf)?.[1];
    assert.ok(persistence && inVolume('mosquitto', persistence.replace(/\/$/, '')), `Mosquitto persistence ${persistence} is in a volume`);
    // postgis/postgis keeps the official postgres image's PGDATA, /var/lib/postgresql/data.
    assert.ok(!s.postgis!.environment!.PGDATA && inVolume('postgis', '/var/lib/postgresql/data'), 'PostgreSQL data is in a volume');
    for (const app of ['app-1', 'app-2']) assert.ok(inVolume(app, s[app]!.environment!.DATA_DIR!), `${app} DATA_DIR (stored images) is in a volume`);
  });

  it('documents how the first administrator is made in a compose deployment, with a command that names a compose service', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const m = /docker compose run --rm (\S+) npm run users -- create --role admin/.exec(readme);
    assert.ok(m, 'README shows `docker compose run --rm <service> npm run users -- create --role admin …`');
    assert.equal(compose.services[m[1]!]?.build, '.', `${m[1]} is an app service of docker-compose.yml`);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.ok(pkg.scripts.users, 'package.json has the users script');
  });

  it('ships a Dockerfile that installs from the lockfile', () => {
    const df = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    assert.match(df, /COPY package\.json package-lock\.json/);
    assert.match(df, /npm ci/);
  });
});
