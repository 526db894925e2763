/**
 * Jest global setup: builds the web console once before any test file runs when it is missing or stale, so tests
 * that run `npm start` (whose prestart would build it) start within their time limits, and the browser tests find
 * a current build.
 */
import { ensureConsoleBuilt } from '../../lib/console/build-console';

export default function globalSetup(): void {
  const started = Date.now();
  const { built } = ensureConsoleBuilt();
  if (built) console.log(`\nweb console built for the tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
