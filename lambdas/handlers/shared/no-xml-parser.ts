/**
 * `sax` in the Lambda bundles (BUNDLE_ALIASES in lib/constructs/defaults.ts). The status page's Atom feed is written
 * by the `feed` package through xml-js, whose index also loads its XML parser and with it sax (~20 KB minified,
 * compiled at every cold start of the status-render function). Nothing in a function parses XML, so
 * the bundles get this instead; a call would fail loudly rather than parse wrong.
 */
import { InvariantError } from '../../core/errors';

export function parser(): never {
  throw new InvariantError('no XML parser in the Lambda bundles (sax is aliased to lambdas/handlers/shared/no-xml-parser.ts)');
}
