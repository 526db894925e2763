import fc from 'fast-check';
import { InvalidPayloadError } from '../../../lambdas/core/errors';
import { checkJsonDepth, jsonDepth, MAX_JSON_DEPTH } from '../../../lambdas/core/normalize/json-depth';

/** Reference: the nesting depth of a parsed value (arrays and objects; the top counts as 1). */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v as object);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('jsonDepth / checkJsonDepth', () => {
  it('equals the depth of the parsed value for any JSON (brackets inside strings do not count)', () => {
    const withBrackets = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ':', ',') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.jsonValue({ maxDepth: 1 }), withBrackets, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(withBrackets, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(fc.property(value, (v) => {
      const text = JSON.stringify(v);
      expect(jsonDepth(text, 10_000)).toBe(depthOf(JSON.parse(text)));
    }), { numRuns: 300 });
  });

  it('refuses any nesting past the limit, whatever the mix of arrays and objects, and names the path', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6000 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }), (depth, kinds) => {
      let open = '';
      let close = '';
      for (let i = 0; i < depth; i++) {
        const arr = kinds[i % kinds.length];
        open += arr ? '[' : '{"k":';
        close = (arr ? ']' : '}') + close;
      }
      const text = `${open}1${close}`;
      if (depth <= MAX_JSON_DEPTH) expect(() => checkJsonDepth(text, ['Message'])).not.toThrow();
      else {
        let err: unknown;
        try {
          checkJsonDepth(text, ['Message']);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidPayloadError);
        expect((err as InvalidPayloadError).issues[0]).toEqual({ path: 'Message', message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH}`) });
      }
    }), { numRuns: 200 });
  });

  it('stops scanning as soon as the limit is passed', () => {
    expect(jsonDepth('['.repeat(1_000_000), 64)).toBe(65);
  });
});
