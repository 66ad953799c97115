/**
 * Secrets never logged: the real service in demo mode, with the service's own logger
 * (core/logger.ts, its redaction included) at `trace`, the most it ever says, captured line by
 * line. Every way a secret reaches it is exercised, rightly and wrongly: logins with right and
 * wrong passwords, a user created with a password, bearer tokens on the API, logout, device
 * tokens made and rotated, device events over HTTP and MQTT with right and wrong tokens, the
 * WebSocket opened with a token in its header and in its subprotocol, and refused. Then no
 * captured line may hold any of those secrets.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { createLogger } from '../../core/logger.js';
import { LIVE_PROTOCOL } from '../../server/live/live-hub.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';

describe('secrets are never logged', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  let service: TestGridwatch;

  before(async () => {
    service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0' }, createLogger('trace', 'gridwatch', sink));
  });
  after(async () => {
    await service?.close();
  });

  it('passwords, user tokens, device tokens and WebSocket tokens appear in no log line', async () => {
    const { gw } = service;
    const secrets: string[] = [];
    const adminCreds = gw.demoCredentials.find((c) => c.role === 'admin')!;
    secrets.push(adminCreds.password);

    // Logins: right, wrong (a wrong password is as secret as a right one: it is often a near miss).
    const wrongPassword = 'Wrong-Password-7f3a9c';
    secrets.push(wrongPassword);
    assert.equal((await api(`${gw.url}/api/v1/auth/login`, { body: { username: adminCreds.username, password: wrongPassword } })).status, 401);
    const login = await api(`${gw.url}/api/v1/auth/login`, { body: { username: adminCreds.username, password: adminCreds.password } });
    assert.equal(login.status, 200);
    const admin = login.body.token as string;
    secrets.push(admin);

    // A user created with a password, who logs in, uses the token and logs out.
    const newPassword = 'New-User-Password-4b8e21';
    secrets.push(newPassword);
    const created = await api(`${gw.url}/api/v1/users`, { token: admin, body: { username: 'secret-check', password: newPassword, displayName: '测试', role: 'planner', scopes: [], unitId: null } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const planner = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: 'secret-check', password: newPassword } })).body.token as string;
    secrets.push(planner);
    assert.equal((await api(`${gw.url}/api/v1/clues?limit=1`, { token: planner })).status, 200);
    assert.equal((await api(`${gw.url}/api/v1/auth/logout`, { token: planner, method: 'POST' })).status, 204);
    assert.equal((await api(`${gw.url}/api/v1/clues?limit=1`, { token: planner })).status, 401, 'the logged-out token is refused');

    // Device tokens: a new device, its token rotated; events over HTTP with the old, new and a made-up token.
    const device = await api(`${gw.url}/api/v1/devices`, { token: admin, body: { id: 'gas-secret-1', kind: 'gas-sensor', homeUnitId: null, metadata: {} } });
    assert.equal(device.status, 201, JSON.stringify(device.body));
    const firstToken = device.body.token as string;
    const rotated = await api(`${gw.url}/api/v1/devices/gas-secret-1/rotate-token`, { token: admin, body: {} });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const deviceToken = rotated.body.token as string;
    const madeUp = 'made-up-device-token-91c2d7e0';
    secrets.push(firstToken, deviceToken, madeUp);
    const event = (id: string) => ({ eventId: id, deviceId: 'gas-secret-1', kind: 'gas-sensor', ts: new Date().toISOString(), position: { lon: 121.55, lat: 29.82 }, lelPct: 3 });
    for (const [token, status] of [[deviceToken, 200], [firstToken, 401], [madeUp, 401]] as const) {
      const r = await api(`${gw.url}/api/v1/device-events`, { headers: { 'x-device-id': 'gas-secret-1', authorization: `Bearer ${token}` }, body: event(`secret-http-${status}-${token.slice(0, 4)}`) });
      assert.equal(r.status, status, JSON.stringify(r.body));
    }

    // The same device over the embedded MQTT broker: refused with a wrong token, then publishing.
    const health = await api(`${gw.url}/healthz`);
    const port = health.body.components.mqtt.detail.port as number;
    const connect = (password: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: 'gas-secret-1', password, clientId: `gas-secret-1-${password.length}`, reconnectPeriod: 0 });
    await assert.rejects(connect(madeUp));
    const client = await connect(deviceToken);
    await client.publishAsync('devices/gas-sensor/gas-secret-1/events', JSON.stringify(event('secret-mqtt-1')), { qos: 1 });
    await client.endAsync();

    // The WebSocket: the token in the Authorization header, in the subprotocol, and a bad one refused.
    const ws = (headers: Record<string, string>, protocols: string[]) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${gw.url.replace('http', 'ws')}/api/v1/live`, protocols, { headers });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
      });
    assert.equal(await ws({ authorization: `Bearer ${admin}` }, [LIVE_PROTOCOL]), 101);
    assert.equal(await ws({}, [LIVE_PROTOCOL, `bearer.${admin}`]), 101);
    assert.equal(await ws({}, [LIVE_PROTOCOL, `bearer.${madeUp}`]), 401);
    assert.equal(await ws({ authorization: `Bearer ${wrongPassword}` }, [LIVE_PROTOCOL]), 401);

    // Let background work (the pipeline, the broker's closing) log what it logs.
    await new Promise((r) => setTimeout(r, 1000));
    // The capture sees the service's own lines, the refused MQTT connect (which names the device) among them.
    assert.ok(lines.some((l) => l.includes('embedded MQTT broker listening')), 'start-up lines were captured');
    assert.ok(lines.some((l) => l.includes('mqtt connect refused') && l.includes('gas-secret-1')), 'the refused connect was logged, naming the device');
    const leaks = lines.flatMap((line) => secrets.filter((s) => line.includes(s)).map((s) => `${s.slice(0, 6)}… in ${line.slice(0, 200)}`));
    assert.deepEqual(leaks, []);
  });
});
