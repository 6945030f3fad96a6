/**
 * Catalog items and campaigns: the JSON Schema (used by the JSAPI routes and docs), the
 * validator the library applies to every item and import file, and targeting evaluation.
 */
import { createError, describe } from '../errors.js';
import { isObject } from '../is.js';
import { AGE_BANDS, GENDERS, ITEM_KINDS, type AgeBand, type CatalogItem, type Gender, type Targeting } from './types.js';

const ID = '^[A-Za-z0-9_.:-]{1,64}$';
const APPID = '^wx[0-9a-f]{16}$';
const TAG = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, minItems: 1, maxItems: 64, uniqueItems: true };

/** JSON Schema of a catalog item (draft 2020-12 subset, as fastify/ajv and OpenAPI use it). */
export const CATALOG_ITEM_SCHEMA = Object.freeze({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'title', 'appId'],
  properties: {
    id: { type: 'string', pattern: ID, description: 'Unique item id' },
    kind: { type: 'string', enum: [...ITEM_KINDS] },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    appId: { type: 'string', pattern: APPID, description: 'Mini-program AppID: wx + 16 lower-case hex digits' },
    path: { type: 'string', minLength: 1, maxLength: 1024, description: 'Page path inside the mini-program, with query' },
    targeting: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ageBands: { type: 'array', items: { type: 'string', enum: [...AGE_BANDS] }, minItems: 1, uniqueItems: true },
        genders: { type: 'array', items: { type: 'string', enum: [...GENDERS] }, minItems: 1, uniqueItems: true },
        hours: {
          type: 'array',
          minItems: 1,
          items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'integer', minimum: 0, maximum: 24 } },
          description: 'Local hour ranges [from, to); from > to wraps past midnight',
        },
        storeCategories: TAG,
        brands: TAG,
        customerGroups: TAG,
      },
    },
    weight: { type: 'number', minimum: 0, maximum: 100, default: 1, description: 'Business weight multiplying the estimated rate' },
    startAt: { type: 'integer', minimum: 0, description: 'Campaign start, ms epoch' },
    endAt: { type: 'integer', minimum: 0, description: 'Campaign end, ms epoch' },
    active: { type: 'boolean', default: true },
  },
});

/** JSON Schema of an import file: `{version: 1, items: [...]}`. */
export const CATALOG_FILE_SCHEMA = Object.freeze({
  type: 'object',
  additionalProperties: false,
  required: ['version', 'items'],
  properties: {
    version: { const: 1 },
    items: { type: 'array', items: CATALOG_ITEM_SCHEMA, maxItems: 100000 },
  },
});

function bad(where: string, what: string): never {
  throw createError('HMP_ERR_RECOMMEND_CATALOG_INVALID', where, what);
}

function str(v: unknown, where: string, pattern?: RegExp, max = 1024): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) bad(where, `expected a string of 1 to ${max} characters but received ${describe(v)}`);
  if (pattern && !pattern.test(v)) bad(where, `expected a string matching ${pattern.source} but received ${describe(v)}`);
  return v;
}

function list<T extends string>(v: unknown, where: string, allowed?: readonly T[]): T[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 64) bad(where, `expected a non-empty array (at most 64) but received ${describe(v)}`);
  const seen = new Set<string>();
  v.forEach((x, i) => {
    str(x, `${where}[${i}]`, undefined, 64);
    if (allowed && !allowed.includes(x as T)) bad(`${where}[${i}]`, `expected one of ${allowed.join(', ')} but received ${describe(x)}`);
    if (seen.has(x as string)) bad(`${where}[${i}]`, `duplicate value ${JSON.stringify(x)}`);
    seen.add(x as string);
  });
  return [...(v as T[])];
}

function validateTargeting(v: unknown, where: string): Targeting {
  if (!isObject(v)) bad(where, `expected an object but received ${describe(v)}`);
  const known = ['ageBands', 'genders', 'hours', 'storeCategories', 'brands', 'customerGroups'];
  for (const k of Object.keys(v)) if (!known.includes(k)) bad(`${where}.${k}`, `unknown field; known fields are ${known.join(', ')}`);
  const t: Targeting = {};
  if (v.ageBands !== undefined) t.ageBands = list(v.ageBands, `${where}.ageBands`, AGE_BANDS);
  if (v.genders !== undefined) t.genders = list(v.genders, `${where}.genders`, GENDERS);
  if (v.hours !== undefined) {
    if (!Array.isArray(v.hours) || v.hours.length === 0) bad(`${where}.hours`, `expected a non-empty array of [from, to] but received ${describe(v.hours)}`);
    t.hours = v.hours.map((h, i) => {
      if (!Array.isArray(h) || h.length !== 2 || !h.every((x) => Number.isInteger(x) && x >= 0 && x <= 24)) {
        bad(`${where}.hours[${i}]`, `expected [from, to] with integers 0..24 but received ${describe(h)}`);
      }
      return [h[0], h[1]] as [number, number];
    });
  }
  for (const k of ['storeCategories', 'brands', 'customerGroups'] as const) if (v[k] !== undefined) t[k] = list(v[k], `${where}.${k}`);
  return t;
}

/**
 * Validates one catalog item against {@link CATALOG_ITEM_SCHEMA} and returns a clean copy.
 * @param where names the item in messages (e.g. `items[3]`)
 * @throws HMP_ERR_RECOMMEND_CATALOG_INVALID naming the field
 * @example validateItem({ id: 'coffee', kind: 'coupon', title: '2 for 1', appId: 'wx0123456789abcdef' })
 *   // { id: 'coffee', kind: 'coupon', title: '2 for 1', appId: 'wx0123456789abcdef' }
 */
export function validateItem(v: unknown, where = 'item'): CatalogItem {
  if (!isObject(v)) bad(where, `expected an object but received ${describe(v)}`);
  const known = Object.keys(CATALOG_ITEM_SCHEMA.properties);
  for (const k of Object.keys(v)) if (!known.includes(k)) bad(`${where}.${k}`, `unknown field; known fields are ${known.join(', ')}`);
  const item: CatalogItem = {
    id: str(v.id, `${where}.id`, new RegExp(ID), 64),
    kind: ITEM_KINDS.includes(v.kind as never) ? (v.kind as CatalogItem['kind']) : bad(`${where}.kind`, `expected one of ${ITEM_KINDS.join(', ')} but received ${describe(v.kind)}`),
    title: str(v.title, `${where}.title`, undefined, 200),
    appId: str(v.appId, `${where}.appId`, new RegExp(APPID), 18),
  };
  if (v.path !== undefined) item.path = str(v.path, `${where}.path`);
  if (v.targeting !== undefined) item.targeting = validateTargeting(v.targeting, `${where}.targeting`);
  if (v.weight !== undefined) {
    if (typeof v.weight !== 'number' || !(v.weight >= 0 && v.weight <= 100)) bad(`${where}.weight`, `expected a number between 0 and 100 but received ${describe(v.weight)}`);
    item.weight = v.weight;
  }
  for (const k of ['startAt', 'endAt'] as const) {
    if (v[k] !== undefined) {
      if (!Number.isSafeInteger(v[k]) || (v[k] as number) < 0) bad(`${where}.${k}`, `expected a non-negative integer (ms epoch) but received ${describe(v[k])}`);
      item[k] = v[k] as number;
    }
  }
  if (item.startAt !== undefined && item.endAt !== undefined && item.endAt <= item.startAt) bad(`${where}.endAt`, `must be after startAt (${item.startAt}) but is ${item.endAt}`);
  if (v.active !== undefined) {
    if (typeof v.active !== 'boolean') bad(`${where}.active`, `expected a boolean but received ${describe(v.active)}`);
    item.active = v.active;
  }
  return item;
}

/**
 * Parses and validates an import file ({@link CATALOG_FILE_SCHEMA}; JSON text or the parsed
 * object). Item ids must be unique within the file.
 * @throws HMP_ERR_RECOMMEND_CATALOG_INVALID naming the item and field
 */
export function parseCatalogFile(input: string | unknown): CatalogItem[] {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (err) {
      bad('file', `not JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(doc)) bad('file', `expected {version: 1, items: [...]} but received ${describe(doc)}`);
  for (const k of Object.keys(doc)) if (k !== 'version' && k !== 'items') bad(`file.${k}`, 'unknown field; known fields are version, items');
  if (doc.version !== 1) bad('file.version', `expected 1 but received ${describe(doc.version)}`);
  if (!Array.isArray(doc.items)) bad('file.items', `expected an array but received ${describe(doc.items)}`);
  const seen = new Set<string>();
  return doc.items.map((x, i) => {
    const it = validateItem(x, `items[${i}]`);
    if (seen.has(it.id)) bad(`items[${i}].id`, `duplicate id ${JSON.stringify(it.id)}`);
    seen.add(it.id);
    return it;
  });
}

/** Where and when a recommendation is served: the screen's location and local time. */
export interface ServeContext {
  /** Local hour 0..23 at the screen. */
  hour: number;
  storeCategory?: string;
  brand?: string;
  /** Customer groups of an identified member. */
  customerGroups?: string[];
}

/** Result of targeting an item: whether it may be shown, and which rules matched. */
export interface TargetingMatch {
  eligible: boolean;
  /** Share (0..1) of the audience the demographic targeting matches. */
  share: number;
  /** Rules that matched, e.g. `ageBands:18-29`, `hours:11-14`, `storeCategories:grocery`. */
  matched: string[];
}

function inHours(h: number, ranges: [number, number][]): [number, number] | undefined {
  return ranges.find(([from, to]) => (from <= to ? h >= from && h < to : h >= from || h < to));
}

/**
 * Evaluates an item's targeting for an audience (segment weights keyed `ageBand|gender`) in a
 * context. Context rules (hours, store category, brand, customer group) must all hold; the
 * demographic rules must match at least `minShare` of the audience. An empty audience matches
 * only items without demographic rules.
 */
export function matchTargeting(item: CatalogItem, segments: Record<string, number>, ctx: ServeContext, at: number, minShare: number): TargetingMatch {
  const no: TargetingMatch = { eligible: false, share: 0, matched: [] };
  if (item.active === false) return no;
  if (item.startAt !== undefined && at < item.startAt) return no;
  if (item.endAt !== undefined && at >= item.endAt) return no;
  const t = item.targeting ?? {};
  const matched: string[] = [];
  if (t.hours) {
    const r = inHours(ctx.hour, t.hours);
    if (!r) return no;
    matched.push(`hours:${r[0]}-${r[1]}`);
  }
  if (t.storeCategories) {
    if (!ctx.storeCategory || !t.storeCategories.includes(ctx.storeCategory)) return no;
    matched.push(`storeCategories:${ctx.storeCategory}`);
  }
  if (t.brands) {
    if (!ctx.brand || !t.brands.includes(ctx.brand)) return no;
    matched.push(`brands:${ctx.brand}`);
  }
  if (t.customerGroups) {
    const g = (ctx.customerGroups ?? []).filter((x) => t.customerGroups!.includes(x));
    if (g.length === 0) return no;
    matched.push(...g.map((x) => `customerGroups:${x}`));
  }
  if (!t.ageBands && !t.genders) return { eligible: true, share: 1, matched };
  let share = 0;
  const bands = new Set<string>();
  const genders = new Set<string>();
  for (const [seg, w] of Object.entries(segments)) {
    const [band, gender] = seg.split('|') as [AgeBand | 'unknown', Gender | 'unknown'];
    const okBand = !t.ageBands || t.ageBands.includes(band as AgeBand);
    const okGender = !t.genders || t.genders.includes(gender as Gender);
    if (okBand && okGender) {
      share += w;
      if (t.ageBands) bands.add(band);
      if (t.genders) genders.add(gender);
    }
  }
  if (share <= 0 || share + 1e-9 < minShare) return { eligible: false, share, matched };
  for (const b of bands) matched.push(`ageBands:${b}`);
  for (const g of genders) matched.push(`genders:${g}`);
  return { eligible: true, share, matched };
}
