/**
 * `getAudience`: who is in front of the screen and who passed in a sliding window, from face
 * tracks (never images): current and unique viewers, counts by age band and gender, dwell
 * and attention.
 * @internal
 */
import type { Recommender } from '../../recommend/service.js';
import type { JsApiDef } from '../jsapi.js';
import { OPEN_OBJECT, SEGMENTS_SCHEMA } from './recommendShared.js';

export function getAudienceApi(rec: Recommender): JsApiDef {
  return {
    name: 'getAudience',
    summary: 'Audience statistics over a sliding window',
    description: 'Counts distinct face tracks seen in the last `window` ms by age band (0-12, 13-17, 18-29, 30-44, 45-59, 60+) and gender, current viewers, dwell and attention time.',
    input: 'json',
    options: { properties: { window: { type: 'integer', minimum: 1, description: 'Sliding window, ms (at most the track TTL). Default 60000.' } } },
    result: {
      required: ['at', 'windowMs', 'current', 'unique', 'byAgeBand', 'byGender'],
      properties: {
        at: { type: 'number' },
        windowMs: { type: 'integer' },
        current: { type: 'integer', description: 'People in front of the screen now' },
        unique: { type: 'integer', description: 'Distinct people in the window' },
        byAgeBand: { type: 'object', additionalProperties: { type: 'integer' } },
        byGender: { type: 'object', additionalProperties: { type: 'integer' } },
        currentTrackIds: { type: 'array', items: { type: ['string', 'number'] } },
        dwell: OPEN_OBJECT,
        attention: OPEN_OBJECT,
        segments: SEGMENTS_SCHEMA,
      },
    },
    async handler({ options }) {
      return rec.getAudience(options.window === undefined ? {} : { window: options.window as number });
    },
  };
}
