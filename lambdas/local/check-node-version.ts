/** Imported first by every entry point a user starts: exits 1 with a clear message on an unsupported Node.js. */
import { exitOnUnsupportedNode } from './node-version';

exitOnUnsupportedNode();
