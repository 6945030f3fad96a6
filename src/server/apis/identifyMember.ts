/**
 * `identifyMember`: 1:N search of a face descriptor among enrolled members (WASM SIMD);
 * every call is audit-logged.
 * @internal
 */
import type { Recommender } from '../../recommend/service.js';
import type { JsApiDef } from '../jsapi.js';
import { DESCRIPTOR_SCHEMA, TAGS_SCHEMA } from './recommendShared.js';
import { membersOf } from './registerMember.js';

export function identifyMemberApi(rec: Recommender): JsApiDef {
  return {
    name: 'identifyMember',
    summary: 'Identify a member from a face descriptor',
    description: 'Returns matched: false when no enrolled member reaches the threshold (cosine similarity).',
    input: 'json',
    options: {
      required: ['descriptor'],
      properties: { descriptor: DESCRIPTOR_SCHEMA, threshold: { type: 'number', minimum: -1, maximum: 1 } },
    },
    result: {
      required: ['matched'],
      properties: { matched: { type: 'boolean' }, memberId: { type: 'string' }, score: { type: 'number' }, tags: TAGS_SCHEMA },
    },
    async handler({ options, device }) {
      const m = await membersOf(rec).identify(options.descriptor as number[], {
        ...(options.threshold !== undefined ? { threshold: options.threshold as number } : {}),
        ...(device ? { actor: device } : {}),
      });
      return m ? { matched: true, ...m } : { matched: false };
    },
  };
}
