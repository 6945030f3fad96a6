/**
 * `deleteMember`: erases a member's descriptors, tags, consent record, recommendations and
 * audit entries (one `delete` audit entry records that it happened).
 * @internal
 */
import type { Recommender } from '../../recommend/service.js';
import type { JsApiDef } from '../jsapi.js';
import { MEMBER_ID_SCHEMA } from './recommendShared.js';
import { membersOf } from './registerMember.js';

export function deleteMemberApi(rec: Recommender): JsApiDef {
  return {
    name: 'deleteMember',
    summary: 'Erase a member and everything stored about them',
    input: 'json',
    options: { required: ['memberId'], properties: { memberId: MEMBER_ID_SCHEMA } },
    result: { properties: {} },
    async handler({ options, device }) {
      await membersOf(rec).delete(options.memberId as string, device ? { actor: device } : {});
      return {};
    },
  };
}
