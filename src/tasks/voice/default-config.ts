/**
 * The default profile's phrases: a wake phrase in Mandarin and English, treadmill commands
 * (加速 / 减速 / 停止, faster / slower / stop) and mall-directory commands. `hmp voice train`
 * without `--config` trains this into `models/voice/default`.
 * @internal
 */
import type { TrainConfig } from './train.js';

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  name: 'default',
  phrases: [
    { id: 'wake_xiaomei', text: '小美小美', lang: 'cmn', kind: 'wake' },
    { id: 'wake_hey_mall', text: 'hey mall', lang: 'en', kind: 'wake' },
    { id: 'speed_up_zh', text: '加速', lang: 'cmn', kind: 'command', command: 'treadmill.speedUp' },
    { id: 'slow_down_zh', text: '减速', lang: 'cmn', kind: 'command', command: 'treadmill.slowDown' },
    { id: 'stop_zh', text: '停止', lang: 'cmn', kind: 'command', command: 'treadmill.stop' },
    { id: 'speed_up_en', text: 'faster', lang: 'en', kind: 'command', command: 'treadmill.speedUp' },
    { id: 'slow_down_en', text: 'slower', lang: 'en', kind: 'command', command: 'treadmill.slowDown' },
    { id: 'stop_en', text: 'stop', lang: 'en', kind: 'command', command: 'treadmill.stop' },
    { id: 'toilet_zh', text: '洗手间在哪', lang: 'cmn', kind: 'command', command: 'directory.toilet' },
    { id: 'toilet_en', text: 'where is the toilet', lang: 'en', kind: 'command', command: 'directory.toilet' },
    { id: 'member_zh', text: '打开会员中心', lang: 'cmn', kind: 'command', command: 'member.open' },
    { id: 'member_en', text: 'open member center', lang: 'en', kind: 'command', command: 'member.open' },
  ],
  commands: {
    'treadmill.speedUp': { action: { type: 'treadmill', op: 'speedUp', stepKmh: 0.5 } },
    'treadmill.slowDown': { action: { type: 'treadmill', op: 'slowDown', stepKmh: 0.5 } },
    'treadmill.stop': { action: { type: 'treadmill', op: 'stop' } },
    'directory.toilet': { action: { type: 'directoryQuery', query: 'toilet' } },
    'member.open': { action: { type: 'navigateTo', url: '/pages/member/index' } },
  },
  confusables: [
    { text: '加油', lang: 'cmn' },
    { text: '减肥', lang: 'cmn' },
    { text: '停车', lang: 'cmn' },
    { text: '小米', lang: 'cmn' },
    { text: '洗手', lang: 'cmn' },
    { text: 'fast', lang: 'en' },
    { text: 'slow', lang: 'en' },
    { text: 'shop', lang: 'en' },
    { text: 'hey', lang: 'en' },
    { text: 'open the door', lang: 'en' },
  ],
};
