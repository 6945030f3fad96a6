/**
 * sharp-backed helpers for the faces CLI and evaluation (sharp may only be imported under
 * src/runtime): load an image as raw RGB with an optional resize/padding, and draw labelled
 * boxes onto an image.
 * @internal
 */
import sharp from 'sharp';

/** Raw RGB pixels. */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
  format: 'rgb';
}

/** Loads a file as raw RGB; `resize` stretches to exact size, `pad` adds a black border on every side. */
export async function loadRgb(file: string | Uint8Array, opts: { resize?: { width: number; height: number }; pad?: number } = {}): Promise<RgbFrame> {
  let img = sharp(file).rotate().removeAlpha();
  if (opts.resize) img = img.resize(opts.resize.width, opts.resize.height, { fit: 'fill' });
  if (opts.pad) {
    // Resize and extend in one pipeline would extend before resizing; materialise first.
    img = sharp(await img.png().toBuffer()).extend({ top: opts.pad, bottom: opts.pad, left: opts.pad, right: opts.pad, background: '#000' });
  }
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, format: 'rgb' };
}

/** Loads a file as raw RGB resized to cover exactly `width`x`height` (centre crop, no stretch). */
export async function loadRgbCover(file: string, width: number, height: number): Promise<RgbFrame> {
  const { data, info } = await sharp(file).rotate().removeAlpha().resize(width, height, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, format: 'rgb' };
}

/** A labelled box to draw. */
export interface DrawBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label?: string;
  /** CSS colour. Default `#00e676`. */
  color?: string;
  /** Points drawn as small dots. */
  points?: { x: number; y: number }[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** Draws boxes (and labels, points) over an image and writes a PNG. */
export async function drawBoxes(input: string | Uint8Array, boxes: readonly DrawBox[], outFile: string): Promise<void> {
  const base = sharp(input).rotate();
  const meta = await base.metadata();
  const W = meta.autoOrient?.width ?? meta.width ?? 0;
  const H = meta.autoOrient?.height ?? meta.height ?? 0;
  const stroke = Math.max(2, Math.round(Math.min(W, H) / 300));
  const font = Math.max(12, Math.round(Math.min(W, H) / 40));
  const parts = boxes.map((b) => {
    const c = b.color ?? '#00e676';
    const pts = (b.points ?? []).map((p) => `<circle cx="${p.x}" cy="${p.y}" r="${stroke}" fill="${c}"/>`).join('');
    const label = b.label ? `<text x="${b.x}" y="${Math.max(font, b.y - stroke)}" font-family="sans-serif" font-size="${font}" fill="${c}" stroke="#000" stroke-width="0.6">${esc(b.label)}</text>` : '';
    return `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="${c}" stroke-width="${stroke}"/>${pts}${label}`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
  await base.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).png().toFile(outFile);
}
