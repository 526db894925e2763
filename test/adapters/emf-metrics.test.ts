/**
 * The EMF sink writes as few lines as keep every metric series: each line is billed as CloudWatch Logs ingestion
 * (an ingest invocation at one alert per request paid two lines, ~560 bytes, for one count).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfMetricsSink } from '../../lambdas/adapters/metrics/emf-metrics';
import { acceptedMetrics, processMetrics } from '../../lambdas/core/metrics';

type Emf = { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } } & Record<string, unknown>;

function flushed(points: Parameters<EmfMetricsSink['add']>[0]): Emf[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
  try {
    const sink = new EmfMetricsSink(new Metrics({ namespace: 'AlertPipeline/Test', serviceName: 'alert-pipeline' }));
    sink.add(points);
    sink.flush();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Emf);
}

describe('EmfMetricsSink', () => {
  it('writes the counts of one dimension value in one line with two dimension sets: the total and the per-value series', () => {
    const docs = flushed([...acceptedMetrics('alertmanager', 2), ...acceptedMetrics('alertmanager', 1)]);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ service: 'alert-pipeline', source: 'alertmanager', AlertsAccepted: 3 });
    expect(docs[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service'], ['service', 'source']]);
    expect(JSON.stringify(docs[0]).length).toBeLessThan(320);
  });

  it('keeps a totals line and one line per value when the points have several values or points without a dimension', () => {
    const docs = flushed([...acceptedMetrics('alertmanager', 2), ...acceptedMetrics('threatstack', 1)]);
    expect(docs).toHaveLength(3);
    expect(docs.find((d) => !('source' in d))).toMatchObject({ AlertsAccepted: 3 });
    expect(docs.find((d) => d.source === 'threatstack')).toMatchObject({ AlertsAccepted: 1 });
    const processed = flushed([...processMetrics([{ outcome: 'opened' }, { outcome: 'joined' }] as unknown as Parameters<typeof processMetrics>[0])]);
    expect(processed).toHaveLength(1);
    expect(processed[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
  });
});
