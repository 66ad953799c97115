/** What the watermark on a display copy says (水印): when, where, and who or which device. */
export interface WatermarkText {
  /** When the evidence was taken or received, ms since epoch; shown in China Standard Time. */
  at: number;
  /** Where: a grid, community or town code and lon,lat. */
  place: string;
  /** Who, in Chinese and English (legible without a CJK font): `上传 by worker-a` or `设备 device cam-12`. */
  by: string;
}

const SHANGHAI = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** `2026-12-01 13:32:07 UTC+8`: Asia/Shanghai wall time, the zone named so nobody guesses. */
export function shanghaiTime(ms: number): string {
  return `${SHANGHAI.format(new Date(ms))} UTC+8`;
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/**
 * The watermark as an SVG the size of the image: a dark band along the bottom with three lines
 * of white text, composited onto the display copy by sharp (librsvg). The font list puts a CJK
 * font first (fonts-wqy-microhei in CI and the image); without one, librsvg falls back to
 * whatever sans-serif exists, so times, codes and coordinates stay legible.
 */
export function watermarkSvg(width: number, height: number, text: WatermarkText): Buffer {
  const size = Math.max(11, Math.round(Math.min(width, height) / 30));
  const line = Math.round(size * 1.3);
  const band = line * 3 + Math.round(size * 0.8);
  const x = Math.round(size * 0.6);
  const lines = [shanghaiTime(text.at), text.place, text.by].map(
    (t, i) => `<text x="${x}" y="${height - band + Math.round(size * 0.4) + line * (i + 1) - Math.round(size * 0.25)}">${escapeXml(t)}</text>`,
  );
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<rect x="0" y="${height - band}" width="${width}" height="${band}" fill="#000" fill-opacity="0.55"/>` +
      `<g font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, DejaVu Sans, sans-serif" font-size="${size}" fill="#fff">${lines.join('')}</g>` +
      `</svg>`,
  );
}

/**
 * The place line: the clue's smallest jurisdiction code (grid, else community, else town) and
 * the coordinates, the photo's own EXIF GPS when it has one (marked GPS), else the clue's.
 */
export function placeText(
  clue: { gridCode: string | null; communityCode: string | null; townCode: string | null; position: { lon: number; lat: number } },
  gps: { lon: number; lat: number } | null,
): string {
  const code = clue.gridCode ? `网格 grid ${clue.gridCode}` : clue.communityCode ? `社区 community ${clue.communityCode}` : clue.townCode ? `镇街 town ${clue.townCode}` : null;
  const at = gps ?? clue.position;
  const where = `${at.lon.toFixed(5)},${at.lat.toFixed(5)}${gps ? ' GPS' : ''}`;
  return code ? `${code} · ${where}` : where;
}
