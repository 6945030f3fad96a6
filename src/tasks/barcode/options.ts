/**
 * Options of {@link scanCode}: schema, defaults and validation at the boundary.
 */
import { createError, describe } from '../../errors.js';
import * as is from '../../is.js';
import { FORMAT_NAMES, readerFormats, SCAN_TYPE_GROUPS } from './formats.js';

/** Region of interest as fractions of the image (0..1), e.g. the scan window drawn on screen. */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Options of one `scanCode` call. Every field is optional. */
export interface ScanCodeOptions {
  /**
   * Formats to look for: zxing-cpp names (`'QRCode'`, `'EAN13'`), WeChat names (`'QR_CODE'`,
   * `'EAN_13'`) or WeChat groups (`'barCode'`, `'qrCode'`, `'datamatrix'`, `'pdf417'`).
   * Default: all formats.
   */
  formats?: string[];
  /** `wx.scanCode`'s `scanType` option (groups); merged with `formats`. Default: all. */
  scanType?: ('barCode' | 'qrCode' | 'datamatrix' | 'pdf417')[];
  /**
   * Time after which the robustness ladder starts no further pass, ms (measured from the end of
   * image decoding). `0` runs the fast pass only. Default: 400.
   */
  budgetMs?: number;
  /** Run the robustness ladder when the fast pass finds nothing. Default: true. */
  ladder?: boolean;
  /** Most codes returned for one image (1..255). Default: 16. */
  maxCodes?: number;
  /** Only look inside this region (fractions of width/height). Default: the whole image. */
  roi?: Roi;
  /** EAN-2/EAN-5 add-ons of EAN/UPC codes: `'ignore'`, `'read'` (reported as `addOn`), `'require'`. Default: `'read'`. */
  addOn?: 'ignore' | 'read' | 'require';
  /** Aborts the call (HMP_ERR_ENGINE_ABORTED). */
  signal?: AbortSignal;
  /** Deadline for the whole call in ms (HMP_ERR_ENGINE_DEADLINE). Default: the engine's. */
  timeoutMs?: number;
}

/** Defaults (frozen). */
export const SCAN_DEFAULTS = Object.freeze({ budgetMs: 400, ladder: true, maxCodes: 16, addOn: 'read' as const });

const KNOWN = ['formats', 'scanType', 'budgetMs', 'ladder', 'maxCodes', 'roi', 'addOn', 'signal', 'timeoutMs'] as const;

/** Validated settings that cross to the worker (plain data). @internal */
export interface ScanConfig {
  /** Names the caller asked for; `undefined` = all. */
  requested: string[] | undefined;
  readerFormats: string[];
  budgetMs: number;
  ladder: boolean;
  maxCodes: number;
  roi: Roi | undefined;
  eanAddOn: 'Ignore' | 'Read' | 'Require';
  confirm: boolean;
}

function names(value: unknown, name: string, allowed: readonly string[]): string[] {
  if (!Array.isArray(value)) throw is.invalid('array of format names', name, value);
  return value.map((v, i) => {
    if (typeof v !== 'string' || !allowed.includes(v)) throw createError('HMP_ERR_BARCODE_FORMAT', describe(v), `${name}[${i}]`, allowed.join(', '));
    return v;
  });
}

/**
 * Validates options into a fresh {@link ScanConfig} plus the engine's run options.
 * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_BARCODE_FORMAT
 */
export function resolveScanOptions(options: unknown, name = 'options'): { config: ScanConfig; signal: AbortSignal | undefined; timeoutMs: number | undefined } {
  if (options === undefined) options = {};
  if (!is.isObject(options)) throw is.invalid('options object', name, options);
  is.knownKeys(options, KNOWN, name);
  const o = options as ScanCodeOptions;
  const requested: string[] = [];
  if (o.formats !== undefined) requested.push(...names(o.formats, `${name}.formats`, FORMAT_NAMES));
  if (o.scanType !== undefined) requested.push(...names(o.scanType, `${name}.scanType`, SCAN_TYPE_GROUPS));
  const budgetMs = o.budgetMs === undefined ? SCAN_DEFAULTS.budgetMs : is.integer(o.budgetMs, `${name}.budgetMs`, 0, 60_000);
  const ladder = o.ladder === undefined ? SCAN_DEFAULTS.ladder : is.boolean(o.ladder, `${name}.ladder`);
  const maxCodes = o.maxCodes === undefined ? SCAN_DEFAULTS.maxCodes : is.integer(o.maxCodes, `${name}.maxCodes`, 1, 255);
  const addOn = o.addOn === undefined ? SCAN_DEFAULTS.addOn : is.oneOf(o.addOn, `${name}.addOn`, ['ignore', 'read', 'require'] as const);
  let roi: Roi | undefined;
  if (o.roi !== undefined) {
    if (!is.isObject(o.roi)) throw is.invalid('object {x, y, width, height} of fractions', `${name}.roi`, o.roi);
    is.knownKeys(o.roi, ['x', 'y', 'width', 'height'], `${name}.roi`);
    const x = is.number(o.roi.x, `${name}.roi.x`, 0, 1);
    const y = is.number(o.roi.y, `${name}.roi.y`, 0, 1);
    const width = is.number(o.roi.width, `${name}.roi.width`, 0, 1);
    const height = is.number(o.roi.height, `${name}.roi.height`, 0, 1);
    if (width <= 0 || x + width > 1 + 1e-9) throw is.outOfRange('width > 0 with x + width <= 1', `${name}.roi.width`, width);
    if (height <= 0 || y + height > 1 + 1e-9) throw is.outOfRange('height > 0 with y + height <= 1', `${name}.roi.height`, height);
    roi = { x, y, width, height };
  }
  const signal = o.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw is.invalid('AbortSignal', `${name}.signal`, signal);
  const timeoutMs = o.timeoutMs === undefined ? undefined : is.integer(o.timeoutMs, `${name}.timeoutMs`, 1, 3_600_000);
  const any = requested.length === 0;
  return {
    config: {
      requested: any ? undefined : [...new Set(requested)],
      readerFormats: any ? [] : readerFormats(requested),
      budgetMs,
      ladder,
      maxCodes,
      roi,
      eanAddOn: addOn === 'ignore' ? 'Ignore' : addOn === 'read' ? 'Read' : 'Require',
      confirm: true,
    },
    signal,
    timeoutMs,
  };
}
