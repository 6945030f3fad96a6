import sharp from 'sharp';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
const z = await import('/work/main/dist/src/runtime/zxing.js');
await z.loadZxing();
const root = '/work/shared/eval/barcode/zxing';
const folders = process.argv.slice(2);
for (const f of folders) {
  for (const file of readdirSync(join(root,f)).filter(x=>x.endsWith('.png')).sort()) {
    const stem = file.slice(0, file.indexOf('.'));
    const { data, info } = await sharp(join(root,f,file)).ensureAlpha().raw().toBuffer({resolveWithObject:true});
    let exp = existsSync(join(root,f,stem+'.txt')) ? readFileSync(join(root,f,stem+'.txt'),'utf8') : readFileSync(join(root,f,stem+'.bin'),'latin1');
    const t0=performance.now();
    const r = await z.readBarcodesDefault({data, width: info.width, height: info.height});
    const ms = performance.now()-t0;
    const gray = new Uint8Array(info.width*info.height); for (let i=0;i<gray.length;i++) gray[i]=(306*data[4*i]+601*data[4*i+1]+117*data[4*i+2]+512)>>10;
    const t1=performance.now();
    const r2 = z.readGray(gray, info.width, info.height, {textMode:'Plain'});
    const ms2=performance.now()-t1;
    console.log(f, file, info.width+"x"+info.height, ms.toFixed(1), ms2.toFixed(1), JSON.stringify(exp), JSON.stringify(r.map(x=>[x.format, x.text, x.symbologyIdentifier, x.lineCount])), JSON.stringify(r2.map(x=>[x.format,x.text])));
  }
}
