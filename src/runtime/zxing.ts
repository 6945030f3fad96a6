/**
 * The only importer of zxing-wasm (zxing-cpp compiled to WebAssembly).
 *
 * The module is instantiated once per thread from the package's own `zxing_reader.wasm` bytes
 * (never from the CDN zxing-wasm uses by default, so hmp works offline) and called with 8-bit
 * luminance straight from linear memory: `readBarcodes(ImageData)` would re-derive luminance
 * from RGBA in a JavaScript loop on every call, which the robustness ladder would pay per pass.
 * @internal
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  prepareZXingModule,
  readBarcodes,
  encodeFormats,
  BINARIZERS,
  EAN_ADD_ON_SYMBOLS,
  TEXT_MODES,
  CHARACTER_SETS,
  CONTENT_TYPES,
  READABLE_BARCODE_FORMATS,
  ZXING_WASM_VERSION,
  ZXING_CPP_COMMIT,
  type ReaderOptions,
  type ReadResult,
  type ZXingReaderModule,
  type ZXingReadResult,
  type ZXingReaderOptions,
} from 'zxing-wasm/reader';
import { createErrorWith } from '../errors.js';

export type { ReaderOptions, ReadResult };
export { READABLE_BARCODE_FORMATS, ZXING_WASM_VERSION, ZXING_CPP_COMMIT };

/** Reader options hmp sends (the same defaults zxing-wasm documents). @internal */
export const ZXING_DEFAULTS: Readonly<Required<Omit<ReaderOptions, 'tryCode39ExtendedMode'>>> = Object.freeze({
  formats: [],
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  tryDenoise: false,
  binarizer: 'LocalAverage',
  isPure: false,
  downscaleFactor: 3,
  downscaleThreshold: 500,
  minLineCount: 2,
  maxNumberOfSymbols: 255,
  validateOptionalChecksum: false,
  returnErrors: false,
  eanAddOnSymbol: 'Ignore',
  textMode: 'HRI',
  characterSet: 'Unknown',
});

/** The Emscripten surface hmp touches (the package's types lean on @types/emscripten). */
interface ReaderModule extends ZXingReaderModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
}

let modulePromise: Promise<ReaderModule> | undefined;
let mod: ReaderModule | undefined;

/** Path of the reader .wasm shipped inside the zxing-wasm package. */
export function zxingWasmPath(): string {
  return createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
}

/**
 * Instantiates zxing-cpp in this thread (once) from the package's local .wasm bytes.
 * @throws HMP_ERR_WASM_LOAD when the file is missing or does not instantiate
 */
export function loadZxing(): Promise<ReaderModule> {
  modulePromise ??= (async () => {
    let path = '(unresolved zxing-wasm/reader/zxing_reader.wasm)';
    try {
      path = zxingWasmPath();
      const bytes = readFileSync(path);
      const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      // The overrides replace zxing-wasm's default locateFile (a CDN URL): with wasmBinary set,
      // Emscripten never fetches. The package's readBarcodes() reuses this same instance.
      const m = (await prepareZXingModule({ overrides: { wasmBinary } as never, equalityFn: () => true, fireImmediately: true })) as ReaderModule;
      mod = m;
      return m;
    } catch (err) {
      modulePromise = undefined;
      throw createErrorWith('HMP_ERR_WASM_LOAD', { cause: err }, path, (err as Error)?.message ?? String(err));
    }
  })();
  return modulePromise;
}

/** Encodes reader options the way zxing-wasm's own binding does (enum names → indices). */
function encodeOptions(o: ReaderOptions): ZXingReaderOptions {
  const r = { ...ZXING_DEFAULTS, ...o };
  return {
    formats: encodeFormats(r.formats),
    tryHarder: r.tryHarder,
    tryRotate: r.tryRotate,
    tryInvert: r.tryInvert,
    tryDownscale: r.tryDownscale,
    tryDenoise: r.tryDenoise,
    binarizer: BINARIZERS.indexOf(r.binarizer),
    isPure: r.isPure,
    downscaleFactor: r.downscaleFactor,
    downscaleThreshold: r.downscaleThreshold,
    minLineCount: r.minLineCount,
    maxNumberOfSymbols: r.maxNumberOfSymbols,
    validateOptionalChecksum: r.validateOptionalChecksum,
    returnErrors: r.returnErrors,
    eanAddOnSymbol: EAN_ADD_ON_SYMBOLS.indexOf(r.eanAddOnSymbol),
    textMode: TEXT_MODES.indexOf(r.textMode),
    characterSet: CHARACTER_SETS.indexOf(r.characterSet),
    tryCode39ExtendedMode: true,
  };
}

/**
 * Reads barcodes from 8-bit luminance (`width * height` bytes, row-major, no padding).
 * {@link loadZxing} must have resolved in this thread.
 * @throws HMP_ERR_WASM_ALLOC when linear memory cannot hold the image
 */
export function readGray(gray: Uint8Array, width: number, height: number, options: ReaderOptions = {}): ReadResult[] {
  const m = mod;
  if (!m) throw createErrorWith('HMP_ERR_WASM_LOAD', {}, 'zxing-wasm', 'readGray() called before loadZxing() resolved');
  const n = width * height;
  const ptr = m._malloc(n);
  if (!ptr) throw createErrorWith('HMP_ERR_WASM_ALLOC', {}, n);
  let vec: ReturnType<ZXingReaderModule['readBarcodesFromPixmap']>;
  try {
    // HEAPU8 is re-read after malloc: growing memory replaces the view.
    m.HEAPU8.set(gray.subarray(0, n), ptr);
    vec = m.readBarcodesFromPixmap(ptr, width, height, encodeOptions(options));
  } finally {
    m._free(ptr);
  }
  const out: ReadResult[] = [];
  try {
    for (let i = 0; i < vec.size(); i++) {
      const r = vec.get(i) as ZXingReadResult | undefined;
      if (!r) continue;
      out.push({
        ...r,
        // bytes views may alias wasm memory in some builds; copy so later calls cannot change them.
        bytes: new Uint8Array(r.bytes),
        bytesECI: new Uint8Array(r.bytesECI),
        orientation: r.rotation,
        format: r.format as ReadResult['format'],
        symbology: r.symbology as ReadResult['symbology'],
        contentType: CONTENT_TYPES[r.contentType] as ReadResult['contentType'],
      });
    }
  } finally {
    (vec as unknown as { delete?: () => void }).delete?.();
  }
  return out;
}

/**
 * zxing-wasm exactly as an app would call it once with default options
 * (`readBarcodes(imageData)`, RGBA in): the baseline of hmp's eval and benchmarks.
 */
export async function readBarcodesDefault(rgba: { data: Uint8ClampedArray | Uint8Array; width: number; height: number }): Promise<ReadResult[]> {
  await loadZxing();
  return readBarcodes(rgba as unknown as Parameters<typeof readBarcodes>[0]);
}
