import { describe, expect, it } from 'vitest';
import { blazefaceAnchors, NUM_ANCHORS } from '../../../dist/src/tasks/face/blazeface.js';
import { planWindows } from '../../../dist/src/tasks/face/detect.js';

describe('BlazeFace back anchors and window plan', () => {
  it('lays out 896 anchors: 16x16x2 then 8x8x6, centred in their cells', () => {
    const a = blazefaceAnchors();
    expect(NUM_ANCHORS).toBe(896);
    expect(a.length).toBe(2 * 896);
    expect([a[0], a[1], a[2], a[3]]).toEqual([0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16]);
    expect([a[2 * 512], a[2 * 512 + 1]]).toEqual([0.5 / 8, 0.5 / 8]);
    expect([a[2 * 895], a[2 * 895 + 1]]).toEqual([7.5 / 8, 7.5 / 8]);
  });

  it('tiles a 1280x720 frame for 32 px faces and covers it with overlapping windows', () => {
    const w = planWindows(1280, 720, 32);
    expect(w[0]).toEqual({ x: 0, y: 0, side: 1280, tile: false });
    const tiles = w.filter((t) => t.tile);
    expect(tiles.length).toBeGreaterThan(4);
    // Every pixel of the frame lies in some tile, and tiles stay inside the frame.
    for (const [x, y] of [[0, 0], [1279, 719], [640, 360], [1000, 100]]) {
      expect(tiles.some((t) => x >= t.x && x < t.x + t.side && y >= t.y && y < t.y + t.side)).toBe(true);
    }
    for (const t of tiles) expect(t.x + t.side <= 1280 && t.y + t.side <= 720).toBe(true);
  });

  it('does not tile when the full pass already sees faces of the requested size', () => {
    expect(planWindows(400, 400, 32)).toHaveLength(1);
    expect(planWindows(1920, 1080, 0)).toHaveLength(1);
  });
});
