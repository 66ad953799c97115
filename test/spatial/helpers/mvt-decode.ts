/**
 * A minimal Mapbox Vector Tile reader for tests: layers, their features' properties and
 * geometry commands decoded to tile coordinates, straight from the protobuf (spec 2.1), so the
 * tests check the bytes the server sends without trusting the encoder that made them.
 */

/** One decoded feature: type (1 point, 2 line, 3 polygon), properties and rings of tile coordinates. */
export interface MvtFeature {
  type: number;
  properties: Record<string, string | number | boolean>;
  rings: [number, number][][];
}

/** One decoded layer. */
export interface MvtLayer {
  name: string;
  version: number;
  extent: number;
  features: MvtFeature[];
}

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    readonly end = buf.length,
  ) {}
  varint(): number {
    let v = 0;
    let shift = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * shift;
      if (b < 0x80) return v;
      shift *= 128;
    }
  }
  bytes(): Uint8Array {
    const n = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Skips a field of wire type `wt`. */
  skip(wt: number): void {
    if (wt === 0) this.varint();
    else if (wt === 1) this.pos += 8;
    else if (wt === 2) this.pos += this.varint();
    else if (wt === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wt}`);
  }
  packed(): number[] {
    const r = new Reader(this.bytes());
    const out: number[] = [];
    while (r.pos < r.end) out.push(r.varint());
    return out;
  }
}

const zigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);
const text = new TextDecoder();

function value(buf: Uint8Array): string | number | boolean {
  const r = new Reader(buf);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) return text.decode(r.bytes());
    if (field === 2) return (r.pos += 4), view.getFloat32(r.pos - 4, true);
    if (field === 3) return (r.pos += 8), view.getFloat64(r.pos - 8, true);
    if (field === 4 || field === 5) return r.varint();
    if (field === 6) return zigzag(r.varint());
    if (field === 7) return r.varint() !== 0;
    r.skip(tag & 7);
  }
  throw new Error('empty value');
}

function rings(commands: number[]): [number, number][][] {
  const out: [number, number][][] = [];
  let x = 0;
  let y = 0;
  let ring: [number, number][] = [];
  for (let i = 0; i < commands.length; ) {
    const cmd = commands[i]! & 7;
    const count = commands[i]! >> 3;
    i++;
    if (cmd === 7) {
      ring.push([...ring[0]!]);
      continue;
    }
    for (let k = 0; k < count; k++) {
      // MoveTo starts a ring (or a point), LineTo extends it, ClosePath repeats its first point.
      if (cmd === 1) out.push((ring = []));
      x += zigzag(commands[i++]!);
      y += zigzag(commands[i++]!);
      ring.push([x, y]);
    }
  }
  return out;
}

function feature(buf: Uint8Array, keys: string[], values: (string | number | boolean)[]): MvtFeature {
  const r = new Reader(buf);
  const f: MvtFeature = { type: 0, properties: {}, rings: [] };
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    if (field === 2) {
      const tags = r.packed();
      for (let i = 0; i < tags.length; i += 2) f.properties[keys[tags[i]!]!] = values[tags[i + 1]!]!;
    } else if (field === 3) f.type = r.varint();
    else if (field === 4) f.rings = rings(r.packed());
    else r.skip(tag & 7);
  }
  return f;
}

function layer(buf: Uint8Array): MvtLayer {
  const r = new Reader(buf);
  const keys: string[] = [];
  const values: (string | number | boolean)[] = [];
  const raw: Uint8Array[] = [];
  const l: MvtLayer = { name: '', version: 1, extent: 4096, features: [] };
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    if (field === 1) l.name = text.decode(r.bytes());
    else if (field === 2) raw.push(r.bytes());
    else if (field === 3) keys.push(text.decode(r.bytes()));
    else if (field === 4) values.push(value(r.bytes()));
    else if (field === 5) l.extent = r.varint();
    else if (field === 15) l.version = r.varint();
    else r.skip(tag & 7);
  }
  l.features = raw.map((b) => feature(b, keys, values));
  return l;
}

/** The layers of a vector tile. */
export function decodeMvt(buf: Uint8Array): MvtLayer[] {
  const r = new Reader(buf);
  const out: MvtLayer[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (Math.floor(tag / 8) === 3) out.push(layer(r.bytes()));
    else r.skip(tag & 7);
  }
  return out;
}
