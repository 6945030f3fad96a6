import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { HAS_EVAL } from '../helpers.js';
import { faceImages, post, startHarness, zxingSample, type Harness } from './helpers.js';

// Every JSAPI route succeeds on real images, in each body shape: binary (image/*, raw frame as
// application/octet-stream), base64 JSON, and POST /v1/invoke with data as a JSON string.
describe.skipIf(!HAS_EVAL)('JSAPI routes on real images (needs ../shared/eval)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('getImageInfo: image/jpeg body, base64 JSON and invoke agree', async () => {
    const [jpg] = faceImages(1);
    const bin = await post(`${h.url}/v1/getImageInfo`, jpg!, 'image/jpeg');
    expect(bin.status).toBe(200);
    expect(bin.json).toEqual({ errMsg: 'getImageInfo:ok', width: 200, height: 200, type: 'jpeg', format: 'rgba' });
    expect(bin.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const json = await post(`${h.url}/v1/getImageInfo`, JSON.stringify({ image: jpg!.toString('base64') }), 'application/json');
    expect(json.json).toEqual(bin.json);
    const dataUrl = await post(`${h.url}/v1/getImageInfo`, JSON.stringify({ image: `data:image/jpeg;base64,${jpg!.toString('base64')}` }), 'application/json');
    expect(dataUrl.json).toEqual(bin.json);
    const inv = await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'getImageInfo', data: JSON.stringify({ image: jpg!.toString('base64') }) }), 'application/json');
    expect(inv.status).toBe(200);
    expect(inv.json).toEqual(bin.json);
  });

  it('getImageInfo: raw rgba frame via octet-stream (query and media-type parameters) and JSON frame', async () => {
    const [jpg] = faceImages(1);
    const { data, info } = await sharp(jpg!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const expected = { errMsg: 'getImageInfo:ok', width: info.width, height: info.height, type: 'raw', format: 'rgba' };
    const q = await post(`${h.url}/v1/getImageInfo?width=${info.width}&height=${info.height}&format=rgba`, data, 'application/octet-stream');
    expect(q.json).toEqual(expected);
    const p = await post(`${h.url}/v1/getImageInfo`, data, `application/octet-stream; width=${info.width}; height=${info.height}`);
    expect(p.json).toEqual(expected);
    const j = await post(`${h.url}/v1/getImageInfo`, JSON.stringify({ image: { data: data.toString('base64'), width: info.width, height: info.height } }), 'application/json');
    expect(j.json).toEqual(expected);
  });

  it('scanCode: QR and EAN-13 photos decode to their ground truth, binary and invoke', async () => {
    for (const [folder, stem] of [['qrcode-1', '1'], ['ean13-1', '1']] as const) {
      const s = zxingSample(folder, stem);
      const r = await post(`${h.url}/v1/scanCode`, s.image, 'image/png');
      expect(r.status, folder).toBe(200);
      expect(r.json.errMsg).toBe('scanCode:ok');
      expect(r.json.result, folder).toBe(s.text);
      const inv = await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'scanCode', data: JSON.stringify({ image: s.image.toString('base64'), formats: ['qrCode', 'barCode'] }) }), 'application/json');
      expect(inv.json.result, folder).toBe(s.text);
    }
  });

  it('scanCode: options in the query for binary bodies; nothing found is success with codes []', async () => {
    const s = zxingSample('qrcode-1', '1');
    const only = await post(`${h.url}/v1/scanCode?formats=EAN13&budgetMs=0`, s.image, 'image/png');
    expect(only.status).toBe(200);
    expect(only.json).toMatchObject({ errMsg: 'scanCode:ok', result: '', codes: [] });
    const roi = await post(`${h.url}/v1/scanCode?roi=0,0,1,1&formats=QRCode`, s.image, 'image/png');
    expect(roi.json.result).toBe(s.text);
    const bad = await post(`${h.url}/v1/scanCode?formats=NoSuchFormat`, s.image, 'image/png');
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('HMP_ERR_BARCODE_FORMAT');
    expect(String(bad.json.message)).toContain('options.formats[0]');
  });

  it('faceDetect and vk.detectFace: a UTKFace crop has a face, in wx and VKSession shapes', async () => {
    const [jpg] = faceImages(1);
    const r = await post(`${h.url}/v1/faceDetect?enableAngle=true&enableMultiFace=true`, jpg!, 'image/jpeg');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ errMsg: 'faceDetect:ok', width: 200, height: 200 });
    const faces = r.json.faces as { box: { x: number; y: number; width: number; height: number }; score: number }[];
    expect(faces.length).toBeGreaterThanOrEqual(1);
    // The crop is aligned on one face: the best face covers the middle of the image.
    const best = faces[0]!;
    expect(best.box.x).toBeLessThan(100);
    expect(best.box.x + best.box.width).toBeGreaterThan(100);
    expect(r.json.x).toBeGreaterThan(0);
    expect(r.json.angleArray).toMatchObject({ pitch: expect.any(Number), yaw: expect.any(Number), roll: expect.any(Number) });
    expect((r.json.faceInfo as unknown[]).length).toBe(faces.length);
    const vk = await post(`${h.url}/v1/invoke`, JSON.stringify({ command: 'vk.detectFace', data: JSON.stringify({ image: jpg!.toString('base64') }) }), 'application/json');
    expect(vk.json.errMsg).toBe('vk.detectFace:ok');
    const anchors = vk.json.anchors as { origin: { x: number; y: number }; size: { width: number }; points: unknown[]; angle: number[] }[];
    expect(anchors.length).toBeGreaterThanOrEqual(1);
    for (const a of anchors) {
      expect(a.origin.x).toBeGreaterThanOrEqual(-0.5);
      expect(a.size.width).toBeLessThanOrEqual(1.5);
      expect(a.points).toHaveLength(6);
      expect(a.angle).toHaveLength(3);
    }
  });
});
