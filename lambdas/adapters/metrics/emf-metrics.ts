/**
 * MetricsSink over Powertools Metrics: CloudWatch embedded metric format (EMF) lines on stdout, which Lambda's log
 * delivery turns into metrics; no PutMetricData. Points are buffered and written at `flush` (once per invocation):
 * one line with every point without a dimension (each dimensioned point is also summed into it, for alarms), and
 * one line per dimension value (e.g. NotificationFailures per channel). When every point carries the same dimension
 * value (an ingest invocation: AlertsAccepted of one source), the total and the per-value series are one line with
 * two dimension sets instead of two lines: each line is billed as log ingestion (~300 bytes instead of ~560).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricPoint, MetricsSink } from '../../core/ports';

/** Namespace of the pipeline's metrics unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const METRICS_NAMESPACE = 'AlertPipeline';

export class EmfMetricsSink implements MetricsSink {
  private points: MetricPoint[] = [];

  constructor(private readonly metrics: Metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE })) {}

  add(points: readonly MetricPoint[]): void {
    this.points.push(...points);
  }

  flush(): void {
    const points = this.points;
    this.points = [];
    if (points.length === 0) return;
    const unit = (p: MetricPoint) => (p.unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count);
    const totals = new Map<string, MetricPoint>();
    const byDimension = new Map<string, MetricPoint[]>();
    for (const p of points) {
      if (p.unit === 'Milliseconds') this.metrics.addMetric(p.name, unit(p), p.value);
      else totals.set(p.name, { ...p, dimension: undefined, value: (totals.get(p.name)?.value ?? 0) + p.value });
      if (p.dimension) {
        const key = JSON.stringify([p.dimension.name, p.dimension.value]);
        byDimension.set(key, [...(byDimension.get(key) ?? []), p]);
      }
    }
    const groups = [...byDimension.values()];
    const [only] = groups;
    if (groups.length === 1 && only!.length === points.length && points.every((p) => p.unit === 'Count')) {
      // Every point has the one dimension value: the totals equal its sums, so one line serves both series.
      const { name, value } = only![0]!.dimension!;
      this.metrics.addDimensions({});
      this.metrics.addDimensions({ [name]: value });
      for (const p of totals.values()) this.metrics.addMetric(p.name, unit(p), p.value);
      this.metrics.publishStoredMetrics();
      return;
    }
    for (const p of totals.values()) this.metrics.addMetric(p.name, unit(p), p.value);
    this.metrics.publishStoredMetrics();
    // publishStoredMetrics clears the dimensions it wrote, so each group gets exactly its own.
    for (const group of byDimension.values()) {
      const { name, value } = group[0]!.dimension!;
      this.metrics.addDimension(name, value);
      const sums = new Map<string, MetricPoint>();
      for (const p of group) sums.set(p.name, { ...p, value: (sums.get(p.name)?.value ?? 0) + p.value });
      for (const p of sums.values()) this.metrics.addMetric(p.name, unit(p), p.value);
      this.metrics.publishStoredMetrics();
    }
  }
}

/** The local runtime's sink: metrics are not written anywhere locally (the timeline and logs say what happened). */
export class NoopMetricsSink implements MetricsSink {
  add(): void {}
  flush(): void {}
}
