/**
 * Catalog CRUD: `catalog.putItem`, `catalog.getItem`, `catalog.listItems`,
 * `catalog.deleteItem`, and `catalog.import` of a whole catalog file (all items or none).
 * @internal
 */
import { CATALOG_FILE_SCHEMA, CATALOG_ITEM_SCHEMA } from '../../recommend/catalog.js';
import type { Recommender } from '../../recommend/service.js';
import type { JsApiDef, JsonSchema } from '../jsapi.js';

const ID: JsonSchema = { type: 'string', minLength: 1, maxLength: 64 };
const ITEM = CATALOG_ITEM_SCHEMA as unknown as JsonSchema;

export function catalogApis(rec: Recommender): JsApiDef[] {
  return [
    {
      name: 'catalog.putItem',
      path: 'catalog/putItem',
      summary: 'Create or replace a catalog item',
      input: 'json',
      options: { required: ['item'], properties: { item: ITEM } },
      result: { required: ['item'], properties: { item: ITEM } },
      async handler({ options }) {
        return { item: await rec.putItem(options.item) };
      },
    },
    {
      name: 'catalog.getItem',
      path: 'catalog/getItem',
      summary: 'Read a catalog item',
      input: 'json',
      options: { required: ['id'], properties: { id: ID } },
      result: { required: ['item'], properties: { item: ITEM } },
      async handler({ options }) {
        return { item: rec.getItem(options.id as string) };
      },
    },
    {
      name: 'catalog.listItems',
      path: 'catalog/listItems',
      summary: 'List the catalog',
      input: 'json',
      options: { properties: {} },
      result: { required: ['items'], properties: { items: { type: 'array', items: ITEM } } },
      async handler() {
        return { items: rec.listItems() };
      },
    },
    {
      name: 'catalog.deleteItem',
      path: 'catalog/deleteItem',
      summary: 'Delete a catalog item and its learned statistics',
      input: 'json',
      options: { required: ['id'], properties: { id: ID } },
      result: { properties: {} },
      async handler({ options }) {
        await rec.deleteItem(options.id as string);
        return {};
      },
    },
    {
      name: 'catalog.import',
      path: 'catalog/import',
      summary: 'Import a catalog file ({version: 1, items: [...]}); all items or none',
      input: 'json',
      bodyLimit: 8 * 1024 * 1024,
      options: { required: ['catalog'], properties: { catalog: CATALOG_FILE_SCHEMA as unknown as JsonSchema } },
      result: { required: ['imported'], properties: { imported: { type: 'integer' } } },
      async handler({ options }) {
        return { imported: await rec.importCatalog(options.catalog) };
      },
    },
  ];
}
