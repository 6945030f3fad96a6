/**
 * `scanCode` (named after `wx.scanCode`): barcodes in one image, and `/v1/stream/scan`:
 * continuous scanning of a camera stream, each code reported once per sighting.
 * @internal
 */
import { scanCode as scan, ScanSession, type ScanCodeOptions, type ScanSessionOptions } from '../../tasks/barcode/index.js';
import { createError } from '../../errors.js';
import type { JsApiDef, JsonSchema, StreamDef } from '../jsapi.js';

const point: JsonSchema = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } };

const codeSchema: JsonSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    format: { type: 'string', description: "zxing-cpp format name, e.g. 'QRCode', 'EAN13'" },
    scanType: { type: 'string', description: "WeChat name, e.g. 'QR_CODE', 'EAN_13'" },
    text: { type: 'string' },
    bytes: { type: 'string', description: 'Raw content bytes, base64' },
    charSet: { type: 'string' },
    position: {
      type: 'object',
      properties: { topLeft: point, topRight: point, bottomRight: point, bottomLeft: point },
    },
    orientation: { type: 'number' },
    symbologyIdentifier: { type: 'string' },
    addOn: { type: 'string' },
    ecLevel: { type: 'string' },
    contentType: { type: 'string' },
    inverted: { type: 'boolean' },
    mirrored: { type: 'boolean' },
    lineCount: { type: 'integer' },
    readerInit: { type: 'boolean' },
    pass: { type: 'string' },
    confirmedBy: { type: 'string' },
  },
};

const namesSchema = (what: string): JsonSchema => ({ type: 'array', items: { type: 'string' }, description: what });

/** Per-call scan options (the library validates values and answers with its own codes). */
const SCAN_OPTIONS: Record<string, JsonSchema> = {
  formats: namesSchema("Formats: zxing-cpp names ('QRCode', 'EAN13'), WeChat names ('QR_CODE', 'EAN_13') or groups ('barCode', 'qrCode', 'datamatrix', 'pdf417'). Default: all."),
  scanType: namesSchema("wx.scanCode's scanType groups: 'barCode', 'qrCode', 'datamatrix', 'pdf417'. Default: all."),
  budgetMs: { type: 'integer', minimum: 0, maximum: 60000, description: 'Time after which the robustness ladder starts no further pass, ms; 0 = fast pass only. Default 150.' },
  ladder: { type: 'boolean', description: 'Run the robustness ladder when the fast pass finds nothing. Default true.' },
  maxCodes: { type: 'integer', minimum: 1, maximum: 255, description: 'Most codes returned. Default 16.' },
  addOn: { type: 'string', enum: ['ignore', 'read', 'require'], description: "EAN-2/EAN-5 add-ons. Default 'read'." },
};

const ROI_OBJECT: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['x', 'y', 'width', 'height'],
  description: 'Region of interest as fractions (0..1) of the image.',
  properties: { x: { type: 'number' }, y: { type: 'number' }, width: { type: 'number' }, height: { type: 'number' } },
};

/** `roi=x,y,width,height` (fractions) in query strings, where objects cannot go. */
const ROI_QUERY: JsonSchema = { type: 'string', pattern: '^[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+$', description: 'Region of interest as fractions: x,y,width,height (e.g. 0.25,0.25,0.5,0.5)' };

function roiOf(v: unknown): ScanCodeOptions['roi'] {
  if (v === undefined || typeof v === 'object') return v as ScanCodeOptions['roi'];
  const [x, y, width, height] = String(v).split(',').map(Number);
  if (![x, y, width, height].every((n) => Number.isFinite(n))) throw createError('HMP_ERR_SERVER_BAD_REQUEST', `roi must be x,y,width,height fractions, received ${JSON.stringify(v)}`);
  return { x: x!, y: y!, width: width!, height: height! };
}

export const scanCode: JsApiDef = {
  name: 'scanCode',
  summary: 'Find and decode barcodes (QR, EAN/UPC, Code 128, DataMatrix, PDF417, ...) in one image',
  description:
    "Like wx.scanCode on a picture: result/scanType/charSet/rawData describe the first code; codes lists every code with its position; code_results and img_size follow openapi.img.scanQRCode. Nothing found is success with codes: [] and result ''. Binary bodies take options in the query (formats=QRCode&formats=EAN13, roi=x,y,w,h).",
  input: 'image',
  options: {
    properties: {
      ...SCAN_OPTIONS,
      // JSON bodies send the object; binary bodies send the query form (only the string variant is query-able).
      roi: { anyOf: [ROI_OBJECT, ROI_QUERY] },
    },
  },
  result: {
    required: ['result', 'scanType', 'charSet', 'rawData', 'codes'],
    properties: {
      result: { type: 'string', description: "Text of the first code, '' when none" },
      scanType: { type: 'string' },
      charSet: { type: 'string' },
      rawData: { type: 'string', description: "Base64 of the first code's bytes" },
      codes: { type: 'array', items: codeSchema },
      code_results: { type: 'array', items: { type: 'object', additionalProperties: true } },
      img_size: { type: 'object', properties: { w: { type: 'integer' }, h: { type: 'integer' } } },
      passes: { type: 'array', items: { type: 'string' } },
      ms: { type: 'number', description: 'Time in the worker, ms' },
    },
  },
  async handler({ engine, image, options, signal, timeoutMs }) {
    const { roi, ...rest } = options;
    const o: ScanCodeOptions = { ...(rest as ScanCodeOptions), signal, timeoutMs };
    if (roi !== undefined) o.roi = roiOf(roi);
    return scan(engine, image!, o);
  },
};

export const scanStream: StreamDef = {
  name: 'stream.scan',
  path: 'scan',
  summary: 'Continuous barcode scanning of camera frames; each code is reported once per sighting',
  description:
    'Binary messages are frames: raw (width/height/format in the query or a {"type":"config"} message) or encoded images. Every processed frame yields {type: "scan", newCodes, found, ms, seq, dropped}; newCodes holds codes not reported within dedupeMs.',
  input: 'image',
  options: {
    properties: {
      ...SCAN_OPTIONS,
      roi: ROI_QUERY,
      dedupeMs: { type: 'integer', minimum: 0, maximum: 3600000, description: 'A code seen again within this many ms is not reported again. Default 2000.' },
      confirmFrames: { type: 'integer', enum: [1, 2], description: 'Consecutive frames a code must appear in before it is reported. Default 1.' },
    },
  },
  open({ engine, options }) {
    const { roi, ...rest } = options;
    const o: ScanSessionOptions = { ...(rest as ScanSessionOptions) };
    if (roi !== undefined) o.roi = roiOf(roi);
    const session = new ScanSession(engine, o);
    return {
      async push(input) {
        if (input.kind !== 'image') return;
        const r = await session.scan(input.image);
        return { type: 'scan', newCodes: r.newCodes, found: r.frame.codes.length, ms: r.frame.ms };
      },
      close: () => session.close(),
    };
  },
};
