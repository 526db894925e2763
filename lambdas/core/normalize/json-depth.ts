/**
 * The one JSON parser for bodies from outside: it refuses a document nested deeper than MAX_JSON_DEPTH arrays and
 * objects before parsing it, so no later recursive step (validation, serialization into a queue message, the
 * decision trace) can overflow the stack on a hostile or broken body. The check scans the text once, without
 * recursion; strings (and the brackets inside them) are skipped.
 */
import { InvalidPayloadError, formatPath } from '../errors';

/** Deepest nesting of arrays and objects accepted in a JSON document from outside (the body's top counts as 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in `text`, stopping as soon as it passes `max` (returns max + 1 then).
 * Text that is not JSON gets some number; JSON.parse reports the real problem afterwards.
 */
export function jsonDepth(text: string, max = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/**
 * Throws InvalidPayloadError naming `path` (`[]` = the body itself) when the JSON text is nested deeper than
 * `maxDepth`. Every parser of JSON from outside calls it before JSON.parse.
 */
export function checkJsonDepth(text: string, path: readonly PropertyKey[] = [], maxDepth = MAX_JSON_DEPTH): void {
  if (jsonDepth(text, maxDepth) > maxDepth) {
    throw new InvalidPayloadError([{ path: formatPath(path), message: `JSON nested deeper than ${maxDepth} levels (arrays and objects); the limit is ${maxDepth}` }]);
  }
}
