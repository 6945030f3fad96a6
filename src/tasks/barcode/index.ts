/**
 * Barcodes: the main-thread API. Validates options, prepares the image payload (transferred,
 * not copied) and runs `barcode.scan` in the engine's pool.
 */
import type { Engine } from '../../engine/engine.js';
import { prepareImage, type ImageInput } from '../../runtime/image/index.js';
import { resolveScanOptions, type ScanCodeOptions } from './options.js';
import type { ScanCodeResult } from './result.js';
import type { ScanPayload } from './worker.js';

export { type ScanCodeOptions, type Roi, SCAN_DEFAULTS } from './options.js';
export { type ScanCodeResult, type BarcodeCode, type CodePosition, type Point, type OpenApiPos } from './result.js';
export { FORMATS, FORMAT_NAMES, type FormatInfo } from './formats.js';
export { ScanSession, type ScanSessionOptions, type SessionScanResult } from './session.js';

/**
 * Finds and decodes barcodes in an image or camera frame, `wx.scanCode`-style.
 *
 * Accepts encoded bytes (JPEG, PNG, WebP, GIF, TIFF, BMP) or a raw frame
 * `{data, width, height, format: 'rgba' | 'rgb' | 'gray' | 'nv21'}`; an array of them
 * resolves to an array of results. Nothing found is a result with `codes: []`, not an error.
 *
 * @param engine an {@link Engine} from `Engine.create()`
 * @param image the image or frame (or an array of them)
 * @param options see {@link ScanCodeOptions}; defaults: all formats, `budgetMs` 400, ladder on
 * @throws HMP_ERR_OPTION_UNKNOWN, HMP_ERR_ARG_INVALID, HMP_ERR_ARG_RANGE, HMP_ERR_BARCODE_FORMAT (options);
 *   HMP_ERR_IMAGE_EMPTY, HMP_ERR_IMAGE_UNSUPPORTED, HMP_ERR_IMAGE_CORRUPT, HMP_ERR_IMAGE_TOO_LARGE,
 *   HMP_ERR_FRAME_SIZE, HMP_ERR_FRAME_FORMAT (input); HMP_ERR_ENGINE_* (deadline, abort, overload)
 * @example
 * const r = await scanCode(engine, await readFile('ean13-1/1.png')); // ZXing's suite, 640x480
 * // { result: '8413000065504', scanType: 'EAN_13', charSet: 'utf-8', rawData: 'ODQxMzAwMDA2NTUwNA==',
 * //   codes: [{ format: 'EAN13', scanType: 'EAN_13', text: '8413000065504', symbologyIdentifier: ']E0',
 * //             position: { topLeft: { x: 185, y: 180 }, ... }, pass: 'quick', ... }],
 * //   code_results: [{ type_name: 'EAN_13', data: '8413000065504', pos: { left_top: ... } }],
 * //   img_size: { w: 640, h: 480 }, passes: ['quick'], ms: 249.4 }
 * // (the first call of a fresh engine: it includes waiting for the worker's zxing warm-up)
 */
export function scanCode(engine: Engine, image: ImageInput, options?: ScanCodeOptions): Promise<ScanCodeResult>;
export function scanCode(engine: Engine, image: ImageInput[], options?: ScanCodeOptions): Promise<ScanCodeResult[]>;
export async function scanCode(engine: Engine, image: ImageInput | ImageInput[], options: ScanCodeOptions = {}): Promise<ScanCodeResult | ScanCodeResult[]> {
  const { config, signal, timeoutMs } = resolveScanOptions(options);
  const run = (p: ScanPayload, transfer: ArrayBuffer[]): Promise<ScanCodeResult> =>
    engine.run<ScanCodeResult>('barcode.scan', p, { transfer, ...(signal ? { signal } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
  const prepare = (img: unknown, name: string) => {
    const { payload, transfer } = prepareImage(img, name, engine.options.maxPixels);
    return { p: { image: payload, config } satisfies ScanPayload, transfer };
  };
  if (Array.isArray(image)) {
    // Validate every input before queueing any, so a bad element fails the call up front.
    const prepared = image.map((img, i) => prepare(img, `image[${i}]`));
    return Promise.all(prepared.map((x) => run(x.p, x.transfer)));
  }
  const x = prepare(image, 'image');
  return run(x.p, x.transfer);
}
