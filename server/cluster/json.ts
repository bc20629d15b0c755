// Reading the JSON the kinds kept as JSON hold (StoredObject.fields): a value as an object, or
// an empty one when it is missing or not an object.
import type { JsonValue } from './types.js';

export const jsonObject = (v: JsonValue | undefined): { [k: string]: JsonValue } => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});
