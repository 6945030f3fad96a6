/**
 * Seeded pseudo-random numbers for everything that must be reproducible (synthetic training
 * data, evaluation composites, benchmark inputs): the same seed gives the same sequence on every
 * platform, unlike `Math.random()`.
 * @internal
 */

/**
 * Mulberry32: a tiny, fast 32-bit PRNG, uniform in [0, 1).
 * @example const r = mulberry32(7); r(); // 0.011704753153026104 (the same on every run)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
