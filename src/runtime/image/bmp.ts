/**
 * A small, strict BMP decoder (libvips as bundled with sharp has no BMP loader).
 * Supports BITMAPINFOHEADER and later headers with BI_RGB 1/4/8/24/32-bit and BI_BITFIELDS
 * 16/32-bit, bottom-up and top-down. Output is RGBA.
 * @internal
 */
import { createError } from '../../errors.js';

export interface BmpHeader { width: number; height: number }

/** True for the "BM" magic. */
export function isBmp(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d;
}

/** Reads dimensions without decoding. @throws HMP_ERR_IMAGE_CORRUPT */
export function bmpHeader(b: Uint8Array, name: string): BmpHeader {
  if (b.length < 26) throw createError('HMP_ERR_IMAGE_CORRUPT', name, `BMP header needs 26 bytes, got ${b.length}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hdr = dv.getUint32(14, true);
  if (hdr < 40) throw createError('HMP_ERR_IMAGE_UNSUPPORTED', name, `BMP core header (size ${hdr}) is not supported`);
  if (b.length < 14 + 40) throw createError('HMP_ERR_IMAGE_CORRUPT', name, 'truncated BMP info header');
  const width = dv.getInt32(18, true);
  const height = Math.abs(dv.getInt32(22, true));
  if (width <= 0 || height <= 0) throw createError('HMP_ERR_IMAGE_CORRUPT', name, `BMP dimensions ${width}x${height}`);
  return { width, height };
}

function maskShift(mask: number): [number, number] {
  if (mask === 0) return [0, 0];
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1) bits++;
  return [shift, bits];
}

/** Decodes to RGBA. @throws HMP_ERR_IMAGE_CORRUPT, HMP_ERR_IMAGE_UNSUPPORTED */
export function decodeBmp(b: Uint8Array, name: string): { data: Uint8Array; width: number; height: number } {
  const { width, height } = bmpHeader(b, name);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const offset = dv.getUint32(10, true);
  const hdr = dv.getUint32(14, true);
  const topDown = dv.getInt32(22, true) < 0;
  const bpp = dv.getUint16(28, true);
  const compression = dv.getUint32(30, true);
  let colors = dv.getUint32(46, true);
  if (compression !== 0 && compression !== 3) throw createError('HMP_ERR_IMAGE_UNSUPPORTED', name, `BMP compression ${compression} (RLE/JPEG/PNG) is not supported`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw createError('HMP_ERR_IMAGE_UNSUPPORTED', name, `BMP with ${bpp} bits per pixel`);
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (offset + stride * height > b.length) {
    throw createError('HMP_ERR_IMAGE_CORRUPT', name, `BMP pixel data needs ${offset + stride * height} bytes, file has ${b.length}`);
  }
  let masks: [number, number, number, number] = bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0];
  if (compression === 3) {
    const mo = hdr >= 52 ? 14 + 40 : 14 + hdr;
    if (mo + 12 > b.length) throw createError('HMP_ERR_IMAGE_CORRUPT', name, 'truncated BMP bit masks');
    masks = [dv.getUint32(mo, true), dv.getUint32(mo + 4, true), dv.getUint32(mo + 8, true), hdr >= 56 ? dv.getUint32(14 + 52, true) : 0];
  }
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    if (colors === 0) colors = 1 << bpp;
    const po = 14 + hdr;
    if (po + colors * 4 > b.length) throw createError('HMP_ERR_IMAGE_CORRUPT', name, 'truncated BMP palette');
    palette = b.subarray(po, po + colors * 4);
  }
  const out = new Uint8Array(width * height * 4);
  const sh = masks.map(maskShift);
  const scale = (v: number, bits: number) => (bits === 0 ? 255 : bits >= 8 ? v >>> (bits - 8) : Math.round((v * 255) / ((1 << bits) - 1)));
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * 4;
    for (let x = 0; x < width; x++, o += 4) {
      if (palette) {
        const bitpos = x * bpp;
        const byte = b[row + (bitpos >> 3)]!;
        const idx = bpp === 8 ? byte : (byte >> (8 - bpp - (bitpos & 7))) & ((1 << bpp) - 1);
        const p = Math.min(idx, colors - 1) * 4;
        out[o] = palette[p + 2]!; out[o + 1] = palette[p + 1]!; out[o + 2] = palette[p]!; out[o + 3] = 255;
      } else if (bpp === 24 || (bpp === 32 && compression === 0)) {
        const p = row + x * (bpp >> 3);
        out[o] = b[p + 2]!; out[o + 1] = b[p + 1]!; out[o + 2] = b[p]!; out[o + 3] = 255;
      } else {
        const p = row + x * (bpp >> 3);
        const v = bpp === 16 ? dv.getUint16(p, true) : dv.getUint32(p, true);
        for (let c = 0; c < 3; c++) {
          const [s, bits] = sh[c]!;
          out[o + c] = scale((v & masks[c]!) >>> s, bits);
        }
        const [as, abits] = sh[3]!;
        out[o + 3] = abits ? scale((v & masks[3]) >>> as, abits) : 255;
      }
    }
  }
  return { data: out, width, height };
}
