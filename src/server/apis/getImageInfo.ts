/**
 * `getImageInfo`: decodes an image or validates a raw camera frame in the engine and reports its
 * size — the cheap way for a device to check that what it sends is what hmp will see.
 * Named after `wx.getImageInfo`.
 * @internal
 */
import { sniffFormat } from '../../runtime/image/index.js';
import type { JsApiDef } from '../jsapi.js';

export const getImageInfo: JsApiDef = {
  name: 'getImageInfo',
  summary: 'Decode an image (or validate a raw frame) and return its size',
  description:
    'Encoded images are decoded fully (corrupt or truncated data fails with HMP_ERR_IMAGE_CORRUPT); width and height are after EXIF auto-orientation. Raw frames are checked against width x height x format.',
  input: 'image',
  options: { properties: {} },
  result: {
    required: ['width', 'height', 'type', 'format'],
    properties: {
      width: { type: 'integer', description: 'Width in pixels (after EXIF orientation)' },
      height: { type: 'integer', description: 'Height in pixels' },
      type: { type: 'string', enum: ['jpeg', 'png', 'gif', 'webp', 'bmp', 'tiff', 'raw'], description: 'Container format, or raw for frames' },
      format: { type: 'string', description: 'Pixel format hmp computes on: rgba for decoded images, the frame format for raw frames' },
    },
  },
  async handler({ engine, image, signal, timeoutMs }) {
    // Sniff before decode: decode transfers (detaches) the buffer to the worker.
    const type = image instanceof Uint8Array ? sniffFormat(image) ?? 'unknown' : 'raw';
    const img = await engine.decode(image!, { signal, timeoutMs });
    return { width: img.width, height: img.height, type, format: img.format };
  },
};
