/**
 * Audience analytics, catalog, recommendation and opt-in members (main-thread API; nothing
 * here runs in workers or sees images).
 */
export { Audience, AUDIENCE_DEFAULTS, segmentKey, fromFaceTracks, type AudienceOptions, type FaceTrackLike } from './audience.js';
export { SegmentBandit, BANDIT_DEFAULTS, type BanditOptions, type Estimate } from './bandit.js';
export { CATALOG_ITEM_SCHEMA, CATALOG_FILE_SCHEMA, validateItem, parseCatalogFile, matchTargeting, type ServeContext, type TargetingMatch } from './catalog.js';
export { Members, DEFAULT_MATCH_THRESHOLD, DEFAULT_DESCRIPTOR_DIM, parseMemberKey, type MembersOptions, type RegisterMemberInput, type MemberMatch } from './members.js';
export { Rng } from './random.js';
export {
  Recommender,
  type RecommenderOptions,
  type RecommendRequest,
  type RecommendResult,
  type RankedItem,
  type RecommendationReasons,
  type FeedbackInput,
} from './service.js';
export * from './types.js';
export { simulate, type SimulationOptions, type SimulationResult, type PolicyResult } from './simulate.js';
export { recommenderFromEnv } from './env.js';
