/**
 * The `wx` result convention of the JSAPI layer and hmp's numeric `errCode`s.
 *
 * Success: `{errMsg: "<api>:ok", ...result}`. Failure:
 * `{errMsg: "<api>:fail <message>", errCode, code, message, retryable}` with the HTTP status of
 * the error registry.
 *
 * `errCode` numbering (stable, derived from the registry, never hand-assigned):
 * `errCode = AREA_BASE[area] + position of the code within its area`, where `area` is the
 * `<AREA>` of `HMP_ERR_<AREA>_<WHAT>` and positions count from 1 in registry order. Codes are
 * only ever appended to their area's section of `src/errors.ts` ("never reuse or rename a
 * published code"), so published numbers never move. Areas without a base below fall into
 * 90000+ in order of first appearance. `errCode` 0 is never a failure.
 * @internal
 */
import { ERROR_CODES, HmpError, createError, type ErrorCode } from '../errors.js';

/** Base of each error area's errCode block (1000 numbers each). */
export const AREA_BASE: Readonly<Record<string, number>> = Object.freeze({
  ARG: 10000,
  OPTION: 11000,
  ENGINE: 12000,
  IMAGE: 13000,
  FRAME: 14000,
  WASM: 15000,
  MODEL: 16000,
  SERVER: 17000,
  CONFIG: 18000,
  MODELS: 19000,
  BARCODE: 20000,
  SCENE: 21000,
  FACE: 22000,
  VOICE: 23000,
  AUDIO: 24000,
  RECOMMEND: 25000,
  STORE: 26000,
  CONVERT: 27000,
  EVAL: 28000,
  VK: 29000,
  CLIENT: 30000,
});

function buildErrCodes(): Map<string, number> {
  const out = new Map<string, number>();
  const perArea = new Map<string, number>();
  const extraAreas: string[] = [];
  for (const code of Object.keys(ERROR_CODES)) {
    const area = /^HMP_ERR_([A-Z0-9]+)_/.exec(code)?.[1] ?? '';
    const n = (perArea.get(area) ?? 0) + 1;
    perArea.set(area, n);
    let base = AREA_BASE[area];
    if (base === undefined) {
      if (!extraAreas.includes(area)) extraAreas.push(area);
      base = 90000 + 1000 * extraAreas.indexOf(area);
    }
    out.set(code, base + n);
  }
  return out;
}

const ERR_CODES = buildErrCodes();

/** The numeric `errCode` of a registered error code (see the module doc for the scheme). */
export function errCodeOf(code: ErrorCode): number {
  return ERR_CODES.get(code) ?? 99999;
}

/** Every registered code with its errCode and HTTP status, for docs and tests. */
export function errCodeTable(): { code: ErrorCode; errCode: number; status: number }[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => ({ code, errCode: errCodeOf(code), status: ERROR_CODES[code].status }));
}

/** The failure body of the wx convention. */
export interface WxFail {
  errMsg: string;
  errCode: number;
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** `{errMsg: "<api>:ok", ...result}`. Result fields never overwrite errMsg. */
export function wxOk(api: string, result: object | null | undefined): Record<string, unknown> {
  return { ...(result ?? {}), errMsg: `${api}:ok` };
}

/** Builds the failure body (and status) from any error; non-hmp errors must be mapped before. */
export function wxFail(api: string, err: HmpError): { status: number; body: WxFail } {
  return {
    status: err.status,
    body: { errMsg: `${api}:fail ${err.message}`, errCode: errCodeOf(err.code), code: err.code, message: err.message, retryable: err.retryable },
  };
}

/** JSON Schema of the failure body (shared by every route's error responses). */
export const WX_FAIL_SCHEMA = Object.freeze({
  $id: 'hmp.wxFail',
  type: 'object',
  description: 'Failure in the wx convention. HTTP status comes from the error registry.',
  required: ['errMsg', 'errCode', 'code', 'message'],
  properties: {
    errMsg: { type: 'string', description: '"<api>:fail <message>"' },
    errCode: { type: 'integer', description: 'Stable numeric code: area base + position in the registry (docs/server.md).' },
    code: { type: 'string', description: 'hmp error code, HMP_ERR_<AREA>_<WHAT>' },
    message: { type: 'string' },
    retryable: { type: 'boolean', description: 'Whether the same call may succeed if retried.' },
  },
});

/** Maps an unexpected (non-hmp) error to HMP_ERR_SERVER_INTERNAL; nothing of it reaches the client. */
export function toHmpError(err: unknown, requestId: string): HmpError {
  if (err instanceof HmpError) return err;
  return createError('HMP_ERR_SERVER_INTERNAL', requestId);
}
