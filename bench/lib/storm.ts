/**
 * The storm: N alerts over F fingerprints (N / F each, distinct start times, so every alert is a distinct delivery),
 * in a seeded shuffled order, cut into request bodies of `batch` alerts. The same alerts go to the local pipeline as
 * Alertmanager webhook bodies (POST /ingest/alertmanager/{token}) and to Alertmanager itself as its native
 * ingestion (POST /api/v2/alerts, an array per request).
 */
import { createHash } from 'node:crypto';
import { prng, shuffle } from './stats';

export const EXTERNAL_URL = 'http://alertmanager.bench.local:9093';

export interface StormAlert {
  /** Index of the fingerprint, 0..F-1. */
  fp: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** The fingerprint Alertmanager computes from the labels (what its webhook carries). */
  amFingerprint: string;
}

export function alertname(fp: number, prefix = 'storm'): string {
  return `${prefix}-${String(fp).padStart(5, '0')}`;
}

export function buildStorm(alerts: number, fingerprints: number, seed = 42, prefix = 'storm'): StormAlert[] {
  const base = Date.parse('2026-01-05T10:00:00.000Z');
  const out: StormAlert[] = [];
  for (let i = 0; i < alerts; i++) {
    const fp = i % fingerprints;
    const labels = { alertname: alertname(fp, prefix), instance: `host-${fp}.example.internal:9100`, job: 'node', severity: 'critical' };
    out.push({
      fp,
      labels,
      annotations: { summary: `Storm alert ${fp}: node down`, description: `host-${fp} stopped answering scrapes` },
      startsAt: new Date(base + i).toISOString(),
      amFingerprint: createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16),
    });
  }
  return shuffle(out, prng(seed));
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An Alertmanager webhook (version 4) body carrying these alerts, as the local pipeline ingests it. */
export function webhookBody(alerts: readonly StormAlert[]): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'bench',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: EXTERNAL_URL,
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.bench.local:9090/graph?g0.expr=up%3D%3D0`,
      fingerprint: a.amFingerprint,
    })),
  });
}

/** Alertmanager's own ingestion body (API v2 postable alerts). */
export function alertmanagerBody(alerts: readonly StormAlert[]): string {
  return JSON.stringify(alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    generatorURL: 'http://prometheus.bench.local:9090/graph?g0.expr=up%3D%3D0',
  })));
}

export interface SendResult {
  accepted: number;
  rejected: number;
  /** From the first request sent to the last answer received. */
  elapsedMs: number;
  /** Epoch ms when the first request carrying each fingerprint was sent. */
  firstSent: Map<number, number>;
  statuses: Record<number, number>;
  requestLatenciesMs: number[];
}

/** Sends the bodies with `concurrency` requests in flight; an alert is accepted when its request answers 2xx. */
export async function sendStorm(
  url: string,
  requests: ReadonlyArray<{ alerts: readonly StormAlert[]; body: string }>,
  concurrency: number,
): Promise<SendResult> {
  const firstSent = new Map<number, number>();
  const statuses: Record<number, number> = {};
  const latencies: number[] = [];
  let accepted = 0;
  let rejected = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const r = requests[next++]!;
      const sentAt = Date.now();
      for (const a of r.alerts) if (!firstSent.has(a.fp)) firstSent.set(a.fp, sentAt);
      const s0 = performance.now();
      let status = 0;
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: r.body });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      latencies.push(performance.now() - s0);
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) accepted += r.alerts.length;
      else rejected += r.alerts.length;
    }
  }));
  return { accepted, rejected, elapsedMs: performance.now() - t0, firstSent, statuses, requestLatenciesMs: latencies };
}
