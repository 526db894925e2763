/**
 * Imported (for its effect) by the handlers on the path from an alert to a page (ingest, processor, escalation step):
 * the Powertools Tracer captures each AWS SDK client built by ./aws.ts, so every SDK call is an X-Ray subsegment of
 * the invocation's segment (Lambda active tracing). Outside Lambda the Tracer is disabled and captures nothing.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { setClientCapture } from './aws';

export const tracer = new Tracer({ serviceName: 'alert-pipeline' });

setClientCapture((client) => tracer.captureAWSv3Client(client));
