/**
 * `recommend`: ranked catalog items for the current audience, given segment weights, a set of
 * track ids, or an identified member, with the reasons for each rank.
 * @internal
 */
import type { RecommendRequest, Recommender } from '../../recommend/service.js';
import type { JsApiDef } from '../jsapi.js';
import { MEMBER_ID_SCHEMA, OPEN_OBJECT, SEGMENTS_SCHEMA } from './recommendShared.js';

export function recommendApi(rec: Recommender): JsApiDef {
  return {
    name: 'recommend',
    summary: 'Rank mini-programs, pages, products and coupons for an audience',
    description:
      'Give at most one of audience, trackIds, memberId; with none, the screen\'s current audience is used. Targeting filters first, then a seeded Thompson-sampling bandit over audience segments ranks. Quote recommendationId in reportFeedback.',
    input: 'json',
    options: {
      properties: {
        audience: { type: 'object', additionalProperties: false, required: ['segments'], properties: { segments: SEGMENTS_SCHEMA } },
        trackIds: { type: 'array', items: { type: ['string', 'integer'] }, maxItems: 100 },
        memberId: MEMBER_ID_SCHEMA,
        slots: { type: 'integer', minimum: 1, maximum: 20, description: 'Default 3' },
        greedy: { type: 'boolean', description: 'Rank by estimated rate only (no exploration). Default false.' },
      },
    },
    result: {
      required: ['recommendationId', 'at', 'audience', 'items'],
      properties: {
        recommendationId: { type: 'string' },
        at: { type: 'number' },
        audience: OPEN_OBJECT,
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              rank: { type: 'integer' },
              itemId: { type: 'string' },
              kind: { type: 'string' },
              title: { type: 'string' },
              appId: { type: 'string' },
              path: { type: 'string' },
              score: { type: 'number' },
              reasons: OPEN_OBJECT,
            },
          },
        },
      },
    },
    async handler({ options }) {
      return rec.recommend(options as RecommendRequest);
    },
  };
}
