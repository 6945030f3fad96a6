/**
 * The recommendation JSAPIs bound to one {@link Recommender}. Pass them to the server with
 * `startServer({engine, apis: recommendationApis(rec)})` (they need a store, so they are not
 * in the static route table of ./index.ts).
 * @internal
 */
import type { Recommender } from '../../recommend/service.js';
import type { JsApiDef } from '../jsapi.js';
import { catalogApis } from './catalog.js';
import { deleteMemberApi } from './deleteMember.js';
import { getAudienceApi } from './getAudience.js';
import { identifyMemberApi } from './identifyMember.js';
import { recommendApi } from './recommend.js';
import { registerMemberApi } from './registerMember.js';
import { reportFeedbackApi } from './reportFeedback.js';

/** getAudience, recommend, reportFeedback, registerMember, identifyMember, deleteMember and catalog CRUD. */
export function recommendationApis(rec: Recommender): JsApiDef[] {
  return [getAudienceApi(rec), recommendApi(rec), reportFeedbackApi(rec), registerMemberApi(rec), identifyMemberApi(rec), deleteMemberApi(rec), ...catalogApis(rec)];
}
