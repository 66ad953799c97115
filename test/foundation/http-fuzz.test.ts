/**
 * Fuzz: every route of the OpenAPI document, against the real service in demo mode, as an
 * administrator, as a district operator, without a token (and, for device intake, as a device).
 * Each path, query and body parameter (body fields read from the schema) gets NUL bytes, huge
 * strings, huge/negative/NaN/Infinity numbers, RTL text, emoji, lone surrogates, wrong types,
 * arrays and objects where scalars go and deep nesting; each route also gets wrong content types
 * and charsets, bad Content-Encoding and broken bodies. Bad input must be a 4xx: no answer may be
 * a 5xx and the service may log no error-level line. Seeded, so a failure reproduces; a failure
 * lists every offending request.
 */
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { prng } from '../helpers/prng.js';

/** JSON text inserted as it is (numbers JSON.stringify cannot write, nesting it would overflow on). */
class Raw {
  constructor(readonly text: string) {}
}
const DEEP_ARRAY = new Raw('['.repeat(5000) + ']'.repeat(5000));
const DEEP_OBJECT = new Raw('{"a":'.repeat(5000) + '1' + '}'.repeat(5000));

/** Serialises a body that may hold Raw pieces. */
function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** What goes where a JSON body field is expected. */
const BODY_VALUES: [string, unknown][] = [
  ['NUL', '\u0000'],
  ['NUL inside', 'a\u0000b'],
  ['NUL key', { '\u0000': 1 }],
  ['huge string', 'x'.repeat(200_000)],
  ['huge number', 1e308],
  ['negative', -1],
  ['-huge', -1e308],
  ['unsafe integer', 2 ** 53 + 2],
  ['fraction', 0.5],
  ['Infinity (1e999)', new Raw('1e999')],
  ['NaN string', 'NaN'],
  ['Infinity string', 'Infinity'],
  ['RTL', '\u202Eevil\u202C مرحبا'],
  ['emoji', '👩‍👩‍👧‍👦😀🇨🇳'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', 'a\udc00b'],
  ['lone surrogate key', { '\ud83d': 'x' }],
  ['BOM and zero-width', '\ufeff\u200b'],
  ['true', true],
  ['null', null],
  ['number for string', 12345],
  ['empty string', ''],
  ['array', ['a', 'b']],
  ['object', { a: 'b' }],
  ['__proto__', new Raw('{"__proto__":{"role":"admin"}}')],
  ['deep array', DEEP_ARRAY],
  ['deep object', DEEP_OBJECT],
];

/** What goes in a query or path parameter (already URL-encoded where it must be). */
const TEXT_VALUES: [string, string][] = [
  ['NUL', '%00'],
  ['NUL inside', 'a%00b'],
  ['huge', 'x'.repeat(8000)],
  ['huger than the header limit', 'x'.repeat(70_000)],
  ['negative', '-1'],
  ['huge number', '1e400'],
  ['unsafe integer', '9007199254740993'],
  ['int overflow', '2147483648'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['-Infinity', '-Infinity'],
  ['hex', '0x10'],
  ['empty', ''],
  ['RTL', encodeURIComponent('\u202Eevil\u202C مرحبا')],
  ['emoji', encodeURIComponent('👩‍👩‍👧‍👦😀')],
  ['lone surrogate (CESU)', '%ED%A0%80'],
  ['invalid UTF-8', '%FF%FE'],
  ['bad percent', '%E0%A4%A'],
  ['lone percent', '%'],
  ['dot segments', '..%2F..%2Fetc%2Fpasswd'],
  ['space and quote', "a%20'%22"],
];

const GZIP_BOMB = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
const TOO_LARGE = `{"a":"${'x'.repeat(6 * 1024 * 1024)}"}`;

/** Whole-request faults for routes with a body. */
function bodyFaults(base: unknown): [string, Record<string, string>, Buffer | string][] {
  const json = toJson(base);
  const junk = Buffer.from('definitely not compressed');
  return [
    ['text/plain', { 'content-type': 'text/plain' }, json],
    ['form', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&b=2'],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n--x--'],
    ['no content type', {}, json],
    ['charset latin1', { 'content-type': 'application/json; charset=latin1' }, json],
    ['charset utf-16', { 'content-type': 'application/json; charset=utf-16' }, json],
    ['charset bogus', { 'content-type': 'application/json; charset=no-such-charset' }, json],
    ['malformed content type', { 'content-type': 'application/json;;;=' }, json],
    ['br junk', { 'content-type': 'application/json', 'content-encoding': 'br' }, junk],
    ['gzip junk', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, junk],
    ['deflate junk', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, junk],
    ['unknown encoding', { 'content-type': 'application/json', 'content-encoding': 'compress' }, junk],
    ['two encodings', { 'content-type': 'application/json', 'content-encoding': 'gzip, br' }, junk],
    ['gzip valid', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, zlib.gzipSync(json)],
    ['gzip bomb', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, GZIP_BOMB],
    ['empty body', { 'content-type': 'application/json' }, ''],
    ['JSON null', { 'content-type': 'application/json' }, 'null'],
    ['JSON string', { 'content-type': 'application/json' }, '"text"'],
    ['JSON array', { 'content-type': 'application/json' }, `[${json}]`],
    ['truncated JSON', { 'content-type': 'application/json' }, json.slice(0, Math.max(1, json.length - 1))],
    ['raw NUL in JSON', { 'content-type': 'application/json' }, '{"a":"\u0000"}'],
    ['invalid UTF-8', { 'content-type': 'application/json' }, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['BOM', { 'content-type': 'application/json' }, `\ufeff${json}`],
    ['deep body', { 'content-type': 'application/json' }, DEEP_ARRAY.text],
    ['too large', { 'content-type': 'application/json' }, TOO_LARGE],
  ];
}

type Schema = Record<string, any>;

/** A plausible value for a JSON Schema (from zod): every field, the first branch, the first enum value, the minimum. */
function example(s: Schema | undefined): unknown {
  if (!s) return 'x';
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return example(branches.find((b: Schema) => b.type !== 'null') ?? branches[0]);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      // Optional fields too, so each of them is fuzzed.
      for (const [k, p] of Object.entries<Schema>(s.properties ?? {})) out[k] = example(p);
      return out;
    }
    case 'array':
      return Array.from({ length: Math.min(Math.max(s.minItems ?? 1, 1), 3) }, () => example(s.items));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'string': {
      if (s.format === 'uri') return 'http://127.0.0.1:9/fuzz';
      if (s.format === 'date-time') return '2026-07-01T08:00:00+08:00';
      if (s.format === 'date') return '2026-07-01';
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      const fits = (v: string) => (!s.pattern || new RegExp(s.pattern, 'u').test(v)) && v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity);
      return ['fuzz-1', '330212', 'fuzz', 'x'.repeat(Math.max(s.minLength ?? 1, 1))].find(fits) ?? 'x'.repeat(Math.max(s.minLength ?? 1, 1));
    }
    default:
      return 'x';
  }
}

/** Paths to the body's fields, three levels deep (an array's first element counts as a level). */
function fieldPaths(v: unknown, prefix: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (depth >= 3 || v === null || typeof v !== 'object' || v instanceof Raw) return depth ? [prefix] : [];
  const keys: (string | number)[] = Array.isArray(v) ? (v.length ? [0] : []) : Object.keys(v);
  const below = keys.flatMap((k) => fieldPaths((v as Record<string | number, unknown>)[k], [...prefix, k], depth + 1));
  return depth ? [prefix, ...below] : below;
}

/** A copy of `v` with the field at `p` replaced by `x`. */
function withField(v: unknown, p: (string | number)[], x: unknown): unknown {
  if (!p.length) return x;
  const copy: any = Array.isArray(v) ? [...v] : { ...(v as object) };
  copy[p[0]!] = withField(copy[p[0]!], p.slice(1), x);
  return copy;
}

interface Probe {
  who: string;
  method: string;
  url: string;
  what: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

describe('HTTP fuzz: every OpenAPI route answers bad input with a 4xx and logs no error', () => {
  const errorLines: string[] = [];
  // Error-level lines only (pino level 50 and up): that is what an operator gets paged for.
  const log = pino({ level: 'error' }, { write: (line: string) => void errorLines.push(line) });
  let service: TestGridwatch;
  let doc: { paths: Record<string, Record<string, Schema>> };
  const identities: Record<string, Record<string, string>> = {};
  /** Extra sessions for POST /auth/logout, which revokes the token it is sent with. */
  const logoutIdentities: Record<string, Record<string, string>> = {};
  const pathValues: Record<string, string> = {};

  before(async () => {
    service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0' }, log);
    const { gw } = service;
    const loginHeaders = async (role: string) => {
      const c = gw.demoCredentials.find((x) => x.role === role)!;
      const r = await api(`${gw.url}/api/v1/auth/login`, { body: { username: c.username, password: c.password } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return { authorization: `Bearer ${r.body.token}` };
    };
    identities.admin = await loginHeaders('admin');
    identities.operator = await loginHeaders('operator');
    identities.anonymous = {};
    logoutIdentities.admin = await loginHeaders('admin');
    logoutIdentities.operator = await loginHeaders('operator');
    logoutIdentities.anonymous = {};
    const gas = gw.demoDevices.find((d) => d.id === 'gas-001')!;
    identities.device = { 'x-device-id': gas.id, authorization: `Bearer ${gas.token}` };

    // One real clue, so clue paths reach the clue and not only "no such clue".
    const event = { eventId: 'fuzz-seed-1', deviceId: gas.id, kind: 'gas-sensor', ts: new Date().toISOString(), position: { lon: 121.55, lat: 29.82 }, lelPct: 60 };
    const sent = await api(`${gw.url}/api/v1/device-events`, { headers: identities.device, body: event });
    assert.equal(sent.body?.accepted, 1, JSON.stringify(sent.body));
    let code: string | undefined;
    for (let i = 0; i < 100 && !code; i++) {
      code = (await api(`${gw.url}/api/v1/clues?limit=1`, { headers: identities.admin })).body.clues[0]?.code;
      if (!code) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(code, 'the seeded gas reading opened a clue');
    const hook = await api(`${gw.url}/api/v1/webhooks`, { headers: identities.admin, body: { url: 'http://127.0.0.1:9/fuzz' } });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    // Devices other than gas-001 (the fuzz disables and rotates them); an import id that does not
    // exist, so activation never reloads the locator thousands of times.
    Object.assign(pathValues, { code, deviceId: 'truck-020', deadLetterId: '1', geoImportId: '999999', webhookId: hook.body.id });
    doc = (await api(`${gw.url}/api/v1/openapi.json`)).body;
  });
  after(async () => {
    await service?.close();
  });

  it('no 5xx and no error-level log line over every route, parameter and fault', async (t) => {
    const { gw } = service;
    const rnd = prng(20260701);
    const probes: Probe[] = [];
    // `{{n}}` becomes the request's number when sent: a new user, device or event each time, so
    // a request reaches the checks after "already taken" (a unit that does not exist, say).
    const baseBodies: Record<string, unknown> = {
      'post /api/v1/device-events': { eventId: 'fuzz-{{n}}', deviceId: 'gas-001', kind: 'gas-sensor', ts: '2026-07-01T08:00:00+08:00', position: { lon: 121.55, lat: 29.82 }, lelPct: 5 },
      'post /api/v1/users': { username: 'fuzz-{{n}}', password: 'password-123', displayName: '测试用户', role: 'operator', scopes: ['330212'], unitId: null },
      'post /api/v1/devices': { id: 'fuzz-{{n}}', kind: 'gas-sensor', homeUnitId: null, metadata: {} },
      'post /api/v1/clues/{code}/actions': { type: 'feedback', note: '现场已处理' },
      'post /api/v1/auth/login': { username: 'nobody', password: 'wrong-password' },
    };

    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method} ${path}`;
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        const who = path === '/api/v1/device-events' ? ['device', 'anonymous'] : ['admin', 'operator', 'anonymous'];
        const params: Schema[] = op.parameters ?? [];
        const pathParam = (name: string) =>
          name === 'code' ? pathValues.code! : path.startsWith('/api/v1/devices') ? pathValues.deviceId! : path.startsWith('/api/v1/webhooks') ? pathValues.webhookId! : path.startsWith('/api/v1/geo') ? pathValues.geoImportId! : pathValues.deadLetterId!;
        const url = (override: Record<string, string> = {}, query = '') =>
          `${gw.url}${path.replace(/\{(\w+)\}/g, (_m, n: string) => override[n] ?? encodeURIComponent(pathParam(n)))}${query ? `?${query}` : ''}`;
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const hasBody = method !== 'get';
        const base = baseBodies[key] ?? (bodySchema ? example(bodySchema) : {});
        const json = { 'content-type': 'application/json' };
        const cases: Omit<Probe, 'who'>[] = [];
        cases.push({ method, url: url(), what: 'base', headers: hasBody ? json : {}, ...(hasBody ? { body: toJson(base) } : {}) });
        for (const p of params) {
          for (const [label, value] of TEXT_VALUES) {
            if (p.in === 'path') cases.push({ method, url: url({ [p.name]: value }), what: `path ${p.name}: ${label}`, headers: hasBody ? json : {}, ...(hasBody ? { body: toJson(base) } : {}) });
            else cases.push({ method, url: url({}, `${p.name}=${value}`), what: `query ${p.name}: ${label}`, headers: hasBody ? json : {}, ...(hasBody ? { body: toJson(base) } : {}) });
          }
          if (p.in === 'query') {
            cases.push({ method, url: url({}, `${p.name}=1&${p.name}=2`), what: `query ${p.name}: repeated`, headers: {} });
            cases.push({ method, url: url({}, `${p.name}[a]=1`), what: `query ${p.name}: object`, headers: {} });
          }
        }
        if (hasBody) {
          for (const field of fieldPaths(base)) {
            for (const [label, value] of BODY_VALUES) {
              cases.push({ method, url: url(), what: `body ${field.join('.')}: ${label}`, headers: json, body: toJson(withField(base, field, value)) });
            }
          }
          for (const [label, headers, body] of bodyFaults(base)) cases.push({ method, url: url(), what: `body: ${label}`, headers, body });
        }
        // Every case as the first identity (an admin, or the device); the others get a seeded
        // sample (all of them on public routes, where the token does not stop the request first).
        for (const [i, w] of who.entries()) {
          const share = i === 0 || isPublic ? 1 : w === 'operator' ? 0.35 : 0.15;
          for (const c of cases) if (share === 1 || rnd() < share) probes.push({ ...c, who: w });
        }
      }
    }

    const offenders: string[] = [];
    let sent = 0;
    for (const p of probes) {
      const auth = p.url.endsWith('/api/v1/auth/logout') ? logoutIdentities[p.who] : identities[p.who];
      const logged = errorLines.length;
      let status: number;
      let text: string;
      try {
        const body = typeof p.body === 'string' ? p.body.replaceAll('{{n}}', String(sent)) : p.body;
        const res = await fetch(p.url, { method: p.method.toUpperCase(), headers: { ...auth, ...p.headers }, body: body as BodyInit | undefined });
        status = res.status;
        text = await res.text();
      } catch (err) {
        status = 0;
        text = `no answer: ${(err as Error).message}`;
      }
      sent++;
      const newLines = errorLines.slice(logged).map((l) => {
        const o = JSON.parse(l) as { msg?: string; err?: { message?: string } };
        return `${o.msg ?? ''}${o.err?.message ? ` (${o.err.message.slice(0, 120)})` : ''}`;
      });
      if (status >= 500 || status === 0 || newLines.length) {
        offenders.push(`${p.who} ${p.method.toUpperCase()} ${p.url.replace(gw.url, '').slice(0, 120)} [${p.what}] → ${status} ${text.slice(0, 160)}${newLines.length ? ` | logged: ${newLines.join(' | ')}` : ''}`);
      }
    }
    t.diagnostic(`${sent} requests over ${Object.keys(doc.paths).length} paths, ${offenders.length} offending`);
    // Lines logged after the last request (background work it started) count too.
    assert.ok(sent > 2000, `a few thousand requests were sent (${sent})`);
    assert.equal(offenders.length, 0, `${offenders.length} of ${sent} requests got a 5xx or logged an error:\n${offenders.join('\n')}`);
    assert.deepEqual(errorLines, [], 'no error-level log line at all');
  });
});
