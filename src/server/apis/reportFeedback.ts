/**
 * `reportFeedback`: what the audience did with a recommended item (impression, click,
 * conversion); the bandit learns from it for the segments the recommendation was served to.
 * @internal
 */
import type { FeedbackInput, Recommender } from '../../recommend/service.js';
import { FEEDBACK_EVENTS } from '../../recommend/types.js';
import type { JsApiDef } from '../jsapi.js';

export function reportFeedbackApi(rec: Recommender): JsApiDef {
  return {
    name: 'reportFeedback',
    summary: 'Report an impression, click or conversion of a recommended item',
    input: 'json',
    options: {
      required: ['recommendationId', 'itemId', 'event'],
      properties: {
        recommendationId: { type: 'string', minLength: 1, maxLength: 64 },
        itemId: { type: 'string', minLength: 1, maxLength: 64 },
        event: { type: 'string', enum: [...FEEDBACK_EVENTS] },
      },
    },
    result: { properties: {} },
    async handler({ options }) {
      await rec.reportFeedback(options as unknown as FeedbackInput);
      return {};
    },
  };
}
