/**
 * GS1 element strings to their human-readable interpretation, `(01)09501101530003(17)250101`.
 * GS1 DataBar Expanded is reported that way by ZXing and by WeChat, while zxing-cpp's plain
 * text is the raw element string (FNC1 as GS, 0x1d). Only the AI lengths are needed: fixed data
 * lengths come from the GS1 "predefined length" table, variable fields end at GS or the end.
 * @internal
 */

/** Number of digits of the AI starting with these two digits (GS1 General Specifications 3.2). */
function aiLength(two: number): number {
  if (two <= 1 || two === 2 || two === 3 || two === 4) return 2; // 00 01 02 03 04
  if (two >= 10 && two <= 22) return 2;
  if (two >= 23 && two <= 29) return 3; // 235, 240-243, 250-255
  if (two === 30) return 2;
  if (two >= 31 && two <= 36) return 4;
  if (two === 37) return 2;
  if (two >= 39 && two <= 39) return 4;
  if (two >= 40 && two <= 42) return 3;
  if (two === 43) return 4;
  if (two >= 70 && two <= 70) return 4;
  if (two === 71) return 3;
  if (two === 72 || (two >= 80 && two <= 82)) return 4;
  if (two >= 90) return 2;
  return 0;
}

/** Data length of AIs with a predefined fixed length, by their first two digits. */
const FIXED: Record<number, number> = {
  0: 18, 1: 14, 2: 14, 3: 14, 4: 16, 11: 6, 12: 6, 13: 6, 14: 6, 15: 6, 16: 6, 17: 6, 18: 6, 19: 6, 20: 2,
  31: 6, 32: 6, 33: 6, 34: 6, 35: 6, 36: 6, 41: 13,
};

const GS = '\u001d';

/**
 * Formats a GS1 element string (no leading FNC1) as HRI, or returns `undefined` when it does
 * not parse (the caller then keeps the plain text rather than guess).
 * @example gs1Hri('0190012345678908\u001d3922795') // '(01)90012345678908(3922)795'
 */
export function gs1Hri(s: string): string | undefined {
  let i = 0;
  let out = '';
  while (i < s.length) {
    if (s[i] === GS) { i++; continue; }
    if (!/^\d\d/.test(s.slice(i, i + 2))) return undefined;
    const two = Number(s.slice(i, i + 2));
    const n = aiLength(two);
    if (n === 0 || i + n > s.length || !/^\d+$/.test(s.slice(i, i + n))) return undefined;
    const ai = s.slice(i, i + n);
    i += n;
    const fixed = FIXED[two];
    let data: string;
    if (fixed !== undefined) {
      data = s.slice(i, i + fixed);
      if (data.length !== fixed || data.includes(GS)) return undefined;
      i += fixed;
    } else {
      const end = s.indexOf(GS, i);
      data = s.slice(i, end < 0 ? s.length : end);
      i = end < 0 ? s.length : end + 1;
    }
    out += `(${ai})${data}`;
  }
  return out.length > 0 ? out : undefined;
}
