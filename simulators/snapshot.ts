import sharp from 'sharp';

const escape = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A real JPEG a parking camera would upload: a street scene (road, kerb, a car body) with a
 * blue plate-like label carrying the plate text. Small (320×240) so a camera fleet stays cheap.
 */
export async function snapshotJpeg(plate: string, takenAt: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">
  <rect width="320" height="240" fill="#8a9499"/>
  <rect y="150" width="320" height="90" fill="#4a4f52"/>
  <rect y="146" width="320" height="6" fill="#d9d9d9"/>
  <rect x="70" y="80" width="180" height="90" rx="18" fill="#b03a2e"/>
  <rect x="95" y="60" width="130" height="40" rx="10" fill="#7fa7c9"/>
  <circle cx="105" cy="172" r="16" fill="#1c1c1c"/><circle cx="215" cy="172" r="16" fill="#1c1c1c"/>
  <rect x="110" y="128" width="100" height="26" rx="3" fill="#1f4fa8" stroke="#fff" stroke-width="2"/>
  <text x="160" y="147" font-size="15" font-family="sans-serif" fill="#fff" text-anchor="middle">${escape(plate)}</text>
  <text x="6" y="16" font-size="11" font-family="monospace" fill="#fff">${escape(takenAt)}</text>
</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 70 }).toBuffer();
}
