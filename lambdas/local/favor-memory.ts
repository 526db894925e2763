/**
 * Imported first by `npm start` (main.ts) and the bench's runtime process: V8 favours a small heap over speed
 * (`--optimize-for-size`), set at start-up, before the heap grows. Measured in the storm (docs/performance.md): the
 * peak resident memory fell from 347–377 MB to under 200 MB at the same accepted alerts/s and time to page, because
 * the peak was garbage V8 had not collected yet (the live heap stayed under ~100 MB), not data. No heap limit is set,
 * so a larger load than the storm cannot run out of memory because of it.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--optimize-for-size');
export {};
