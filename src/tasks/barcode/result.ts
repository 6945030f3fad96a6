/**
 * Result shapes: hmp's per-code record, the `wx.scanCode` success object and the
 * `openapi.img.scanQRCode` object, and the conversion from zxing-cpp's raw results to the
 * conventions ZXing and WeChat use (UPC-A as 12 digits, UPC-E as its 8 printed digits, GS1
 * DataBar Expanded with parenthesised AIs, raw control characters elsewhere).
 */
import type { ReadResult } from '../../runtime/zxing.js';
import { formatInfo, wanted } from './formats.js';
import { gs1Hri } from './gs1.js';

/** A point in the input image's pixel coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** Corner points of a code in the input image, in reading order. */
export interface CodePosition {
  topLeft: Point;
  topRight: Point;
  bottomRight: Point;
  bottomLeft: Point;
}

/** One decoded code. Plain JSON: safe to serialise and send over HTTP. */
export interface BarcodeCode {
  /** zxing-cpp format name after ZXing's conventions: `'QRCode'`, `'EAN13'`, `'UPCA'`, `'DataBarExp'`, ... */
  format: string;
  /** WeChat / ZXing name: `'QR_CODE'`, `'EAN_13'`, `'UPC_A'`, `'DATA_MATRIX'`, ... */
  scanType: string;
  /** Decoded text (UPC-E as its 8 digits, GS1 DataBar Expanded as `(01)...(17)...`). */
  text: string;
  /** Raw content bytes, base64. */
  bytes: string;
  /** Character set `text` was read as: `'utf-8'` when the bytes are valid UTF-8, else `'iso-8859-1'`. */
  charSet: string;
  /** Corners in the input image (after undoing any ladder transform and region of interest). */
  position: CodePosition;
  /** Orientation of the code in degrees, clockwise, as zxing-cpp measures it. */
  orientation: number;
  /** ISO/IEC 15424 symbology identifier, e.g. `']Q1'`, `']E0'`. */
  symbologyIdentifier: string;
  /** EAN-2/EAN-5 add-on of an EAN/UPC code, when present. */
  addOn?: string;
  /** Error correction level (2D codes) when the symbology has one. */
  ecLevel?: string;
  /** Content type zxing-cpp guessed: `'Text'`, `'Binary'`, `'Mixed'`, `'GS1'`, `'ISO15434'`, `'UnknownECI'`. */
  contentType: string;
  /** Reversed reflectance (light bars on dark). */
  inverted: boolean;
  /** Mirrored symbol (QR, DataMatrix). */
  mirrored: boolean;
  /** Scan lines that agreed (1D only; 0 for 2D). */
  lineCount: number;
  /** Reader-initialisation / programming symbol flag. */
  readerInit: boolean;
  /** Ladder pass that decoded it (`'fast'`, `'sharpen'`, ...). */
  pass: string;
  /** Second pass that confirmed a 1D result found by a weak pass, if one was needed. */
  confirmedBy?: string;
}

/** `openapi.img.scanQRCode` position. */
export interface OpenApiPos {
  left_top: Point;
  right_top: Point;
  right_bottom: Point;
  left_bottom: Point;
}

/** What {@link scanCode} resolves to: `wx.scanCode`'s fields (first code) plus hmp's details. */
export interface ScanCodeResult {
  /** Text of the first code, `''` when none. (`wx.scanCode` `result`) */
  result: string;
  /** WeChat format name of the first code, `''` when none. */
  scanType: string;
  /** Character set of the first code, `''` when none. */
  charSet: string;
  /** Base64 of the first code's raw bytes, `''` when none. */
  rawData: string;
  /** Every code found, in reading order (top to bottom, left to right). */
  codes: BarcodeCode[];
  /** `openapi.img.scanQRCode` shape of the same codes. */
  code_results: { type_name: string; data: string; pos: OpenApiPos }[];
  /** `openapi.img.scanQRCode` image size (of the whole input, not the region of interest). */
  img_size: { w: number; h: number };
  /** Ladder passes run, in order. */
  passes: string[];
  /** Time spent in the worker (decode + ladder), ms. */
  ms: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function charSetOf(bytes: Uint8Array): string {
  try {
    UTF8.decode(bytes);
    return 'utf-8';
  } catch {
    return 'iso-8859-1';
  }
}

function parseExtra(extra: string): Record<string, unknown> {
  if (!extra) return {};
  try {
    const v: unknown = JSON.parse(extra);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Format and text after ZXing's conventions. `requested`: the names the caller asked for. @internal */
export function canonical(r: ReadResult, requested: readonly string[] | undefined): { format: string; text: string; addOn?: string; readerInit: boolean; ecLevel?: string } {
  const extra = parseExtra(r.extra);
  let format: string = r.format;
  let text = r.text;
  const addOn = typeof extra.EanAddOn === 'string' && extra.EanAddOn ? extra.EanAddOn : undefined;
  if (addOn && text.endsWith(addOn)) text = text.slice(0, text.length - addOn.length).trimEnd();
  if (format === 'EAN13' && text.length === 13 && text[0] === '0' && wanted(requested, 'UPCA')) {
    // ZXing's MultiFormatUPCEANReader: an EAN-13 with number system 0 is a UPC-A.
    format = 'UPCA';
    text = text.slice(1);
  } else if (format === 'UPCE' && typeof extra.UPCE === 'string' && /^\d{8}$/.test(extra.UPCE)) {
    text = extra.UPCE;
  } else if (format === 'DataBarExp' || format === 'DataBarExpStk') {
    text = gs1Hri(text) ?? text;
  } else if (format === 'Codabar' && /^[A-D].+[A-D]$/i.test(text)) {
    // ZXing (and WeChat) drop Codabar's start/stop characters.
    text = text.slice(1, -1);
  } else if ((format === 'DataBar' || format.startsWith('DataBarStk') || format === 'DataBarOmni' || format === 'DataBarLtd') && /^(01|\(01\))\d{14}$/.test(text)) {
    // ZXing reports DataBar (RSS-14) as the 14-digit GTIN without its AI.
    text = text.slice(text.length - 14);
  }
  const ecLevel = typeof extra.ECLevel === 'string' && extra.ECLevel ? extra.ECLevel : r.ecLevel || undefined;
  const readerInit = extra.ReaderInit === true || extra.ReaderInit === 'true' || r.readerInit === true;
  return { format, text, ...(addOn ? { addOn } : {}), readerInit, ...(ecLevel ? { ecLevel } : {}) };
}

/** Builds the public record of one raw result. `map` takes ladder coordinates back to the input. @internal */
export function toCode(r: ReadResult, requested: readonly string[] | undefined, pass: string, map: (p: Point) => Point): BarcodeCode {
  const c = canonical(r, requested);
  const p = r.position;
  const round = (q: Point): Point => {
    const m = map(q);
    return { x: Math.round(m.x), y: Math.round(m.y) };
  };
  const code: BarcodeCode = {
    format: c.format,
    scanType: formatInfo(c.format).scanType,
    text: c.text,
    bytes: Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength).toString('base64'),
    charSet: charSetOf(r.bytes),
    position: { topLeft: round(p.topLeft), topRight: round(p.topRight), bottomRight: round(p.bottomRight), bottomLeft: round(p.bottomLeft) },
    orientation: r.rotation,
    symbologyIdentifier: r.symbologyIdentifier,
    contentType: String(r.contentType),
    inverted: r.isInverted,
    mirrored: r.isMirrored,
    lineCount: r.lineCount,
    readerInit: c.readerInit,
    pass,
  };
  if (c.addOn) code.addOn = c.addOn;
  if (c.ecLevel) code.ecLevel = c.ecLevel;
  return code;
}

/** Assembles the call's result from the codes found. @internal */
export function buildResult(codes: BarcodeCode[], width: number, height: number, passes: string[], ms: number): ScanCodeResult {
  const first = codes[0];
  return {
    result: first?.text ?? '',
    scanType: first?.scanType ?? '',
    charSet: first?.charSet ?? '',
    rawData: first?.bytes ?? '',
    codes,
    code_results: codes.map((c) => ({
      type_name: c.scanType,
      data: c.text,
      pos: { left_top: c.position.topLeft, right_top: c.position.topRight, right_bottom: c.position.bottomRight, left_bottom: c.position.bottomLeft },
    })),
    img_size: { w: width, h: height },
    passes,
    ms: Math.round(ms * 100) / 100,
  };
}
