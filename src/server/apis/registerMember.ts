/**
 * `registerMember`: opt-in enrolment of a member's face descriptors (never images) with a
 * consent record; descriptors are stored encrypted (AES-256-GCM).
 * @internal
 */
import { createError } from '../../errors.js';
import type { Recommender } from '../../recommend/service.js';
import type { JsApiDef } from '../jsapi.js';
import { DESCRIPTOR_SCHEMA, MEMBER_ID_SCHEMA, TAGS_SCHEMA } from './recommendShared.js';
import type { Members, RegisterMemberInput } from '../../recommend/members.js';

/** The member registry of `rec`, or a 503-style refusal when members are not configured. */
export function membersOf(rec: Recommender): Members {
  if (!rec.members) throw createError('HMP_ERR_RECOMMEND_MEMBER_KEY', 'HMP_MEMBER_KEY', 'members are not enabled on this server (no member key configured)');
  return rec.members;
}

export function registerMemberApi(rec: Recommender): JsApiDef {
  return {
    name: 'registerMember',
    summary: 'Enrol a member (face descriptors with consent)',
    input: 'json',
    bodyLimit: 256 * 1024,
    options: {
      required: ['descriptors', 'consent'],
      properties: {
        memberId: MEMBER_ID_SCHEMA,
        descriptors: { type: 'array', items: DESCRIPTOR_SCHEMA, minItems: 1, maxItems: 32 },
        tags: TAGS_SCHEMA,
        consent: {
          type: 'object',
          additionalProperties: false,
          required: ['granted', 'textVersion', 'at'],
          properties: { granted: { type: 'boolean' }, textVersion: { type: 'string' }, at: { type: 'integer', minimum: 0 }, channel: { type: 'string' } },
        },
      },
    },
    result: { required: ['memberId', 'descriptors'], properties: { memberId: { type: 'string' }, descriptors: { type: 'integer' } } },
    async handler({ options, device }) {
      const input = { ...options, ...(device ? { actor: device } : {}) } as unknown as RegisterMemberInput;
      return membersOf(rec).register(input);
    },
  };
}
