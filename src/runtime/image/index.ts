/**
 * Image input: encoded images (JPEG, PNG, WebP, GIF, TIFF via sharp; BMP by hmp's own decoder)
 * and raw camera frames as WMPF's `onCameraFrame` delivers them. The main thread validates
 * cheaply and prepares a transferable payload; the worker decodes.
 */
import { createError, createErrorWith, describe, HmpError } from '../../errors.js';
import * as is from '../../is.js';
import { bmpHeader, decodeBmp, isBmp } from './bmp.js';

/** Pixel formats of raw frames. `rgba` is what WMPF's `onCameraFrame` delivers. */
export type FrameFormat = 'rgba' | 'rgb' | 'gray' | 'nv21';
export const FRAME_FORMATS: readonly FrameFormat[] = Object.freeze(['rgba', 'rgb', 'gray', 'nv21']);

/** A raw camera frame. */
export interface RawFrame {
  data: Uint8Array | ArrayBuffer;
  width: number;
  height: number;
  /** Default `'rgba'`. */
  format?: FrameFormat;
}

/** Anything hmp accepts as an image: encoded bytes or a raw frame. */
export type ImageInput = Uint8Array | ArrayBuffer | RawFrame;

/** What crosses to the worker. @internal */
export type ImagePayload =
  | { kind: 'encoded'; data: Uint8Array }
  | { kind: 'frame'; data: Uint8Array; width: number; height: number; format: FrameFormat };

/** A decoded image in the worker. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** Always 4 (RGBA) for decoded images; frames keep their format. */
  format: FrameFormat;
}

/** Largest frame side hmp accepts; keeps width*height*4 far from 2^31. */
export const MAX_SIDE = 32_768;

/** Bytes a frame of that size and format needs. */
export function frameByteLength(width: number, height: number, format: FrameFormat): number {
  switch (format) {
    case 'rgba': return width * height * 4;
    case 'rgb': return width * height * 3;
    case 'gray': return width * height;
    case 'nv21': return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  }
}

/**
 * Makes a view transferable without detaching memory the caller still shares: a view over a
 * whole ArrayBuffer is transferred as is; a slice of a larger one (Node's pooled Buffers) is
 * copied. A SharedArrayBuffer is passed as is (shared, not copied).
 */
function transferable(v: Uint8Array): { data: Uint8Array; transfer: ArrayBuffer[] } {
  const buf = v.buffer;
  if (typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer) return { data: v, transfer: [] };
  if (v.byteOffset === 0 && v.byteLength === buf.byteLength) return { data: v, transfer: [buf as ArrayBuffer] };
  const copy = new Uint8Array(v.byteLength);
  copy.set(v);
  return { data: copy, transfer: [copy.buffer] };
}

function isFrame(v: unknown): v is RawFrame {
  return is.isObject(v) && 'data' in v && 'width' in v && 'height' in v;
}

/**
 * Validates an image input on the main thread and prepares the payload.
 * Raw frames are checked fully (sizes, format, byte length); encoded images only for being
 * non-empty bytes (the worker decodes them).
 * @throws HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_IMAGE_EMPTY, HMP_ERR_FRAME_FORMAT, HMP_ERR_FRAME_SIZE, HMP_ERR_IMAGE_TOO_LARGE
 */
export function prepareImage(input: unknown, name = 'image', maxPixels = 40_000_000): { payload: ImagePayload; transfer: ArrayBuffer[] } {
  if (isFrame(input)) {
    is.knownKeys(input as unknown as Record<string, unknown>, ['data', 'width', 'height', 'format'], name);
    const width = is.integer(input.width, `${name}.width`, 1, MAX_SIDE);
    const height = is.integer(input.height, `${name}.height`, 1, MAX_SIDE);
    const format = input.format ?? 'rgba';
    if (!FRAME_FORMATS.includes(format)) throw createError('HMP_ERR_FRAME_FORMAT', FRAME_FORMATS.join(', '), `${name}.format`, describe(format));
    if (width * height > maxPixels) throw createError('HMP_ERR_IMAGE_TOO_LARGE', name, width * height, maxPixels);
    const data = is.bytes(input.data, `${name}.data`);
    const need = frameByteLength(width, height, format);
    if (data.byteLength !== need) throw createError('HMP_ERR_FRAME_SIZE', `${name}.data`, data.byteLength, width, height, format, need);
    const t = transferable(data);
    return { payload: { kind: 'frame', data: t.data, width, height, format }, transfer: t.transfer };
  }
  if (!(input instanceof Uint8Array) && !(input instanceof ArrayBuffer)) {
    throw is.invalid('encoded image bytes (Buffer, Uint8Array, ArrayBuffer) or a raw frame {data, width, height, format}', name, input);
  }
  const data = is.bytes(input, name);
  if (data.byteLength === 0) throw createError('HMP_ERR_IMAGE_EMPTY', name, 0);
  const t = transferable(data);
  return { payload: { kind: 'encoded', data: t.data }, transfer: t.transfer };
}

/** Magic-byte sniffing, so non-image bytes fail as unsupported before libvips sees them. */
export function sniffFormat(b: Uint8Array): 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'tiff' | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return 'webp';
  if (isBmp(b)) return 'bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return 'tiff';
  return undefined;
}

type SharpFn = typeof import('sharp').default;
let sharpModule: SharpFn | undefined;
async function loadSharp(): Promise<SharpFn> {
  // Imported lazily so a task that only takes raw frames never loads libvips.
  sharpModule ??= (await import('sharp')).default;
  return sharpModule;
}

/**
 * Decodes a payload in the worker. Encoded images become RGBA (auto-oriented from EXIF, first
 * frame of animations); raw frames pass through untouched (their format is kept).
 * @throws HMP_ERR_IMAGE_UNSUPPORTED, HMP_ERR_IMAGE_CORRUPT, HMP_ERR_IMAGE_TOO_LARGE
 */
export async function decodeImage(p: ImagePayload, maxPixels: number, name = 'image'): Promise<DecodedImage> {
  if (p.kind === 'frame') return { data: p.data, width: p.width, height: p.height, format: p.format };
  const b = p.data;
  const fmt = sniffFormat(b);
  if (!fmt) throw createError('HMP_ERR_IMAGE_UNSUPPORTED', name, `unrecognised signature ${Buffer.from(b.subarray(0, 8)).toString('hex') || '(empty)'}`);
  if (fmt === 'bmp') {
    const h = bmpHeader(b, name);
    if (h.width * h.height > maxPixels) throw createError('HMP_ERR_IMAGE_TOO_LARGE', name, h.width * h.height, maxPixels);
    const d = decodeBmp(b, name);
    return { ...d, format: 'rgba' };
  }
  const sharp = await loadSharp();
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let meta: import('sharp').Metadata;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw mapSharpError(err, name);
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w <= 0 || h <= 0) throw createError('HMP_ERR_IMAGE_CORRUPT', name, `dimensions ${w}x${h}`);
  if (w * h > maxPixels) throw createError('HMP_ERR_IMAGE_TOO_LARGE', name, w * h, maxPixels);
  try {
    const { data, info } = await sharp(buf, { limitInputPixels: maxPixels, failOn: 'error', autoOrient: true, pages: 1 })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, format: 'rgba' };
  } catch (err) {
    throw mapSharpError(err, name);
  }
}

function mapSharpError(err: unknown, name: string): HmpError {
  if (err instanceof HmpError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(msg)) return createErrorWith('HMP_ERR_IMAGE_UNSUPPORTED', { cause: err }, name, msg);
  if (/pixel limit/i.test(msg)) return createErrorWith('HMP_ERR_IMAGE_TOO_LARGE', { cause: err }, name, 'more than the limit', 'allowed');
  return createErrorWith('HMP_ERR_IMAGE_CORRUPT', { cause: err }, name, msg.split('\n')[0]);
}
