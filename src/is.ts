/**
 * Boundary checks with messages that name the parameter, the expectation and what was received
 * ("Expected positive integer for width but received -3 of type number").
 * @internal
 */
import { createError, describe, type HmpError } from './errors.js';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isInteger = (v: unknown): v is number => Number.isInteger(v);

/** Throws HMP_ERR_ARG_INVALID. */
export function invalid(expected: string, name: string, value: unknown): HmpError {
  return createError('HMP_ERR_ARG_INVALID', expected, name, describe(value));
}

/** Throws HMP_ERR_ARG_RANGE. */
export function outOfRange(expected: string, name: string, value: unknown): HmpError {
  return createError('HMP_ERR_ARG_RANGE', expected, name, describe(value));
}

/** Asserts an integer within [min, max]. */
export function integer(value: unknown, name: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number') throw invalid(`integer between ${min} and ${max}`, name, value);
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(`integer between ${min} and ${max}`, name, value);
  return value;
}

/** Asserts a finite number within [min, max]. */
export function number(value: unknown, name: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(`number between ${min} and ${max}`, name, value);
  if (!Number.isFinite(value) || value < min || value > max) throw outOfRange(`number between ${min} and ${max}`, name, value);
  return value;
}

export function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalid('boolean', name, value);
  return value;
}

export function string(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalid('string', name, value);
  return value;
}

/** Asserts one of the allowed string values. */
export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(`one of ${allowed.join(', ')}`, name, value);
  }
  return value as T;
}

/** Rejects keys not in `known` (HMP_ERR_OPTION_UNKNOWN) so typos never pass silently. */
export function knownKeys(obj: Record<string, unknown>, known: readonly string[], name = 'options'): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) throw createError('HMP_ERR_OPTION_UNKNOWN', `${name}.${k}`, known.join(', '));
  }
}

/** Views any binary input as a Uint8Array without copying. */
export function bytes(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw invalid('Buffer, Uint8Array or ArrayBuffer', name, value);
}
