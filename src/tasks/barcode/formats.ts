/**
 * Barcode format names: zxing-cpp's canonical names (hmp's `format`), WeChat's `scanType`
 * names (the ZXing Java `BarcodeFormat` names that `wx.scanCode` reports) and the groups
 * `wx.scanCode({scanType})` accepts.
 */

/** One readable format. */
export interface FormatInfo {
  /** zxing-cpp canonical name, hmp's `format` (e.g. `'EAN13'`). */
  readonly format: string;
  /** `wx.scanCode` / ZXing name (e.g. `'EAN_13'`). */
  readonly scanType: string;
  /** Linear (1D) symbology: results of a single weak pass need confirmation. */
  readonly linear: boolean;
  /** `wx.scanCode` option group this format belongs to. */
  readonly group: 'barCode' | 'qrCode' | 'datamatrix' | 'pdf417';
}

const f = (format: string, scanType: string, linear: boolean, group: FormatInfo['group']): FormatInfo =>
  Object.freeze({ format, scanType, linear, group });

/**
 * Every format hmp reads, as zxing-cpp reports it. WeChat's list (QR_CODE, AZTEC, CODABAR,
 * CODE_39, CODE_93, CODE_128, DATA_MATRIX, EAN_8, EAN_13, ITF, MAXICODE, PDF_417, RSS_14,
 * RSS_EXPANDED, UPC_A, UPC_E) is covered; formats WeChat has no name for get the closest
 * ZXing-style name (`MICRO_QR_CODE`, `RSS_LIMITED`, ...).
 */
export const FORMATS: readonly FormatInfo[] = Object.freeze([
  f('QRCode', 'QR_CODE', false, 'qrCode'),
  f('QRCodeModel1', 'QR_CODE', false, 'qrCode'),
  f('QRCodeModel2', 'QR_CODE', false, 'qrCode'),
  f('MicroQRCode', 'MICRO_QR_CODE', false, 'qrCode'),
  f('RMQRCode', 'RMQR_CODE', false, 'qrCode'),
  f('DataMatrix', 'DATA_MATRIX', false, 'datamatrix'),
  f('PDF417', 'PDF_417', false, 'pdf417'),
  f('CompactPDF417', 'PDF_417', false, 'pdf417'),
  f('MicroPDF417', 'MICRO_PDF_417', false, 'pdf417'),
  f('Aztec', 'AZTEC', false, 'qrCode'),
  f('AztecCode', 'AZTEC', false, 'qrCode'),
  f('AztecRune', 'AZTEC', false, 'qrCode'),
  f('MaxiCode', 'MAXICODE', false, 'qrCode'),
  f('EAN13', 'EAN_13', true, 'barCode'),
  f('EAN8', 'EAN_8', true, 'barCode'),
  f('UPCA', 'UPC_A', true, 'barCode'),
  f('UPCE', 'UPC_E', true, 'barCode'),
  f('ISBN', 'EAN_13', true, 'barCode'),
  f('Code128', 'CODE_128', true, 'barCode'),
  f('Code39', 'CODE_39', true, 'barCode'),
  f('Code39Std', 'CODE_39', true, 'barCode'),
  f('Code39Ext', 'CODE_39', true, 'barCode'),
  f('Code32', 'CODE_39', true, 'barCode'),
  f('PZN', 'CODE_39', true, 'barCode'),
  f('Code93', 'CODE_93', true, 'barCode'),
  f('Codabar', 'CODABAR', true, 'barCode'),
  f('ITF', 'ITF', true, 'barCode'),
  f('ITF14', 'ITF', true, 'barCode'),
  f('DataBar', 'RSS_14', true, 'barCode'),
  f('DataBarOmni', 'RSS_14', true, 'barCode'),
  f('DataBarStk', 'RSS_14', true, 'barCode'),
  f('DataBarStkOmni', 'RSS_14', true, 'barCode'),
  f('DataBarLtd', 'RSS_LIMITED', true, 'barCode'),
  f('DataBarExp', 'RSS_EXPANDED', true, 'barCode'),
  f('DataBarExpStk', 'RSS_EXPANDED', true, 'barCode'),
  f('DXFilmEdge', 'DX_FILM_EDGE', true, 'barCode'),
  f('Telepen', 'TELEPEN', true, 'barCode'),
  f('TelepenAlpha', 'TELEPEN', true, 'barCode'),
  f('TelepenNumeric', 'TELEPEN', true, 'barCode'),
]);

const BY_FORMAT = new Map(FORMATS.map((x) => [x.format, x]));

/** Looks up a zxing-cpp format name; unknown names (future zxing-cpp formats) get a generic entry. */
export function formatInfo(format: string): FormatInfo {
  return BY_FORMAT.get(format) ?? f(format, format.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase(), false, 'qrCode');
}

/** The zxing-cpp reader formats to request for each name callers may use in `formats`. */
const SELECTORS: Record<string, readonly string[]> = (() => {
  const m: Record<string, string[]> = {};
  const add = (k: string, v: string) => (m[k] ??= []).includes(v) || m[k]!.push(v);
  // Reader-level names zxing-cpp accepts for each hmp format (variants are read by their parent).
  const reader: Record<string, string> = {
    QRCodeModel1: 'QRCode', QRCodeModel2: 'QRCode', AztecCode: 'Aztec', AztecRune: 'Aztec',
    CompactPDF417: 'PDF417', Code39Std: 'Code39', Code39Ext: 'Code39', Code32: 'Code39', PZN: 'Code39',
    ITF14: 'ITF', DataBarOmni: 'DataBar', DataBarStk: 'DataBar', DataBarStkOmni: 'DataBar', DataBarExpStk: 'DataBarExp',
    ISBN: 'EAN13', TelepenAlpha: 'Telepen', TelepenNumeric: 'Telepen',
  };
  for (const x of FORMATS) {
    const r = reader[x.format] ?? x.format;
    add(x.format, r);
    add(x.scanType, r);
    add(x.group, r);
  }
  // UPC-A is read as EAN-13 with a leading 0 (then renamed), like ZXing's MultiFormatUPCEANReader.
  add('UPCA', 'EAN13');
  add('UPC_A', 'EAN13');
  add('barCode', 'EAN13');
  return m;
})();

/** Every name accepted in `options.formats` (zxing-cpp names, WeChat names, WeChat groups). */
export const FORMAT_NAMES: readonly string[] = Object.freeze(Object.keys(SELECTORS).sort());

/** WeChat `scanType` option groups. */
export const SCAN_TYPE_GROUPS = Object.freeze(['barCode', 'qrCode', 'datamatrix', 'pdf417'] as const);

/** Reader formats for a validated list of names. @internal */
export function readerFormats(names: readonly string[]): string[] {
  const out = new Set<string>();
  for (const n of names) for (const r of SELECTORS[n] ?? []) out.add(r);
  return [...out];
}

/** Whether a result's format was asked for (so renaming EAN13→UPCA respects `formats`). @internal */
export function wanted(names: readonly string[] | undefined, format: string): boolean {
  if (!names || names.length === 0) return true;
  const info = formatInfo(format);
  return names.includes(format) || names.includes(info.scanType) || names.includes(info.group);
}
