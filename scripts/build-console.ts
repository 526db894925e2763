/** `npm run build:console` (and `prestart`): builds the web console into web/dist when missing or stale. */
import { ensureConsoleBuilt } from '../lib/console/build-console';

const started = Date.now();
try {
  const { built, dir } = ensureConsoleBuilt();
  console.log(built ? `console built into ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s` : `console up to date (${dir})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
