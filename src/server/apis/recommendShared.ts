/**
 * Schemas shared by the recommendation JSAPIs (getAudience, recommend, reportFeedback,
 * members, catalog). Those routes need a {@link Recommender}, so each file exports a factory
 * taking one, and {@link recommendationApis} (./recommendation.ts) lists them for
 * `buildApp({apis})` / `startServer({apis})`.
 * @internal
 */
import { AGE_BANDS } from '../../recommend/types.js';
import type { JsonSchema } from '../jsapi.js';

export const SEGMENTS_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Segment weights keyed "<ageBand>|<gender>" (e.g. {"18-29|female": 0.5, "60+|male": 0.5}); unknown parts are "unknown"',
  additionalProperties: { type: 'number', minimum: 0 },
};

export const DESCRIPTOR_SCHEMA: JsonSchema = {
  type: 'array',
  items: { type: 'number' },
  minItems: 16,
  maxItems: 4096,
  description: 'L2-normalised face descriptor (128 numbers for the default descriptor model)',
};

export const MEMBER_ID_SCHEMA: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'Member id' };

export const TAGS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ageBand: { type: 'string', enum: [...AGE_BANDS] },
    gender: { type: 'string', enum: ['male', 'female'] },
    customerGroups: { type: 'array', items: { type: 'string' }, maxItems: 64 },
    labels: { type: 'array', items: { type: 'string' }, maxItems: 64 },
  },
};

/** An object passed through as is (its shape is documented in src/recommend/types.ts). */
export const OPEN_OBJECT: JsonSchema = { type: 'object', additionalProperties: true };
