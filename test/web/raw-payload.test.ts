/** The console's raw payload view (web/src/logic/raw-payload.ts): JSON pretty-printed, the rest verbatim. */
import { displayedBody, rawPayloadPath, sizeOf } from '../../web/src/logic/raw-payload';

describe('displayedBody', () => {
  it('pretty-prints a JSON body', () => {
    expect(displayedBody('{"a":[1,{"b":"x"}]}', false)).toEqual({ text: '{\n  "a": [\n    1,\n    {\n      "b": "x"\n    }\n  ]\n}', pretty: true });
  });

  it('shows anything else verbatim, and a cut body as it is even when it would parse', () => {
    expect(displayedBody('not json <xml/>\n', false)).toEqual({ text: 'not json <xml/>\n', pretty: false });
    expect(displayedBody('{"a":1}', true)).toEqual({ text: '{"a":1}', pretty: false });
    expect(displayedBody('{"a":', true)).toEqual({ text: '{"a":', pretty: false });
  });
});

describe('rawPayloadPath and sizeOf', () => {
  it('encodes the ids into the route and says sizes for people', () => {
    expect(rawPayloadPath('inc-1', '0123456789abcdef')).toBe('/api/incidents/inc-1/alerts/0123456789abcdef/raw');
    expect(rawPayloadPath('a/b', 'c d')).toBe('/api/incidents/a%2Fb/alerts/c%20d/raw');
    expect([sizeOf(12), sizeOf(2048), sizeOf(3 * 1024 * 1024)]).toEqual(['12 bytes', '2.0 KB', '3.0 MB']);
  });
});
