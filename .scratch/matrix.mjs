// Per-pass matrix: every image x every ladder pass at one rotation (for designing the ladder per folder).
import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
const z = await import('../dist/src/runtime/zxing.js');
const L = await import('../dist/src/tasks/barcode/ladder.js');
const E = await import('../dist/src/tasks/barcode/eval.js');
const I = await import('../dist/src/tasks/barcode/image.js');
const R = await import('../dist/src/tasks/barcode/result.js');
await z.loadZxing();
const data = '/work/shared/eval/barcode';
const [rot, part, nparts] = process.argv.slice(2).map(Number);
const spec = E.loadSpec(data).filter((s, i) => i % nparts === part && s.tests.some(t => t.rotation === rot));
const out = [];
for (const s of spec) {
  for (const img of E.listImages(data, s.folder)) {
    const { data: px, info } = await sharp(img.file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    let g = I.toGray(new Uint8Array(px.buffer, px.byteOffset, px.length), info.width, info.height, 'rgba');
    g = I.rotate90(g, rot);
    const row = { folder: s.folder, file: img.stem, w: g.width, h: g.height, passes: {} };
    for (const p of L.PASSES) {
      const t0 = performance.now();
      const r = L.runPass(g, p, { readerFormats: [], maxCodes: 255, eanAddOn: 'Read' });
      const ms = performance.now() - t0;
      if (!r) continue;
      row.passes[p.name] = { ms: +ms.toFixed(1), codes: r.results.map(x => { const c = R.toCode(x, undefined, p.name, q => q); return { st: c.scanType, text: c.text, si: c.symbologyIdentifier, ri: c.readerInit, lc: c.lineCount, ok: E.isExpected(c, s.format, img) }; }) };
    }
    out.push(row);
  }
  process.stderr.write(s.folder + ' ');
}
writeFileSync(`.scratch/matrix-r${rot}-p${part}.json`, JSON.stringify(out));
