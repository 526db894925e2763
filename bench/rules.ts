/**
 * Benchmark of the rules engine (a script, not a test): `npx tsx bench/rules.ts`.
 *
 * Builds a config with 200 rules of the kinds real configs have (tagging by account, alarm name, namespace and
 * payload fields; routing by tags and titles; suppression of noisy alarms; dedup templates and windows; delays;
 * maintenance windows), evaluates 20,000 varied alerts through `evaluateAlert(alert, compileRules(config), nowMs)`
 * and prints compile time, alerts/s and µs per alert (median of 5 runs), next to `defaultRules` as the baseline.
 */
import { prng } from './lib/stats';
import { parsePipelineConfig } from '../lambdas/core/config/parse-pipeline-config';
import type { PipelineConfigInput } from '../lambdas/core/config/pipeline-config.schema';
import { defaultRules, type Rules } from '../lambdas/core/evaluate';
import type { NormalizedAlert } from '../lambdas/core/model/alert';
import { evaluateAlert } from '../lambdas/core/pipeline';
import { compileRules } from '../lambdas/core/rules/compile';

const RULES = 200;
const ALERTS = 20_000;
const RUNS = 5;
const NOW = Date.parse('2024-06-10T14:05:00.000Z');


const SERVICES = Array.from({ length: 20 }, (_, i) => `svc-${i}`);
const ACCOUNTS = ['111122223333', '444455556666', '777788889999'];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const NAMESPACES = ['AWS/ApplicationELB', 'AWS/RDS', 'AWS/Lambda', 'AWS/SQS', 'CWAgent'];

function buildConfig(): PipelineConfigInput {
  const tagging: NonNullable<NonNullable<PipelineConfigInput['rules']>['tagging']> = [];
  const routing: NonNullable<NonNullable<PipelineConfigInput['rules']>['routing']> = [];
  const suppression: NonNullable<NonNullable<PipelineConfigInput['rules']>['suppression']> = [];
  const dedup: NonNullable<NonNullable<PipelineConfigInput['rules']>['dedup']> = [];
  const delays: NonNullable<NonNullable<PipelineConfigInput['rules']>['delays']> = [];
  // 80 tagging rules
  ACCOUNTS.forEach((acct, i) => tagging.push({ name: `env-${i}`, when: `alert.labels.?account.orValue("") == "${acct}"`, tags: { env: ['prod', 'staging', 'dev'][i]! } }));
  for (let i = 0; i < 60; i++) {
    tagging.push({
      name: `component-${i}`,
      explanation: `alarms of app ${i} belong to component ${i % 20}`,
      when: `alert.source == "cloudwatch" && alert.labels.?alarm_name.orValue("").startsWith("app${i}-")`,
      tags: { component: `c${i % 20}`, ...(i % 7 === 0 ? { severity: 'sev1' } : {}) },
    });
  }
  NAMESPACES.forEach((ns, i) => tagging.push({ name: `ns-${i}`, when: `alert.labels.?namespace.orValue("") == "${ns}"`, tags: { layer: ns.split('/').pop()!.toLowerCase() } }));
  for (let i = 0; i < 12; i++) {
    tagging.push({ name: `ts-org-${i}`, when: `alert.source == "threatstack" && payload.organization_id == "org-${i}"`, tags: { org: { expr: 'payload.organization_id' }, tier: i < 4 ? 'gold' : 'silver' } });
  }
  // 60 routing rules
  for (let i = 0; i < 20; i++) routing.push({ name: `by-component-${i}`, when: `tags.?component.orValue("") == "c${i}"`, route: { service: SERVICES[i]! } });
  for (let i = 0; i < 20; i++) routing.push({ name: `ts-title-${i}`, when: `alert.source == "threatstack" && alert.title.lowerAscii().contains("rule-${i} ")`, route: { service: SERVICES[(i + 3) % 20]! } });
  for (let i = 0; i < 20; i++) routing.push({ name: `sev1-env-${i}`, when: `tags.severity == "sev1" && tags.?env.orValue("") == "prod" && alert.labels.?region.orValue("") == "${REGIONS[i % 3]}" && tags.?layer.orValue("") == "x${i}"`, route: { service: SERVICES[i]! } });
  // 30 suppression rules
  for (let i = 0; i < 25; i++) suppression.push({ name: `noisy-${i}`, explanation: 'flaps during deploys', when: `alert.labels.?alarm_name.orValue("") == "app${i * 2}-canary-cpu"`, reason: `canary ${i} CPU flaps (TICKET-${i})` });
  for (let i = 0; i < 5; i++) suppression.push({ name: `dev-low-${i}`, when: `tags.?env.orValue("") == "dev" && tags.severity == "sev3" && alert.title.lowerAscii().matches("disk.*${i}")`, reason: 'dev disk alarms do not page' });
  // 20 dedup rules
  for (let i = 0; i < 10; i++) dedup.push({ name: `ts-host-${i}`, source: 'threatstack', when: `payload.organization_id == "org-${i}"`, fingerprint: 'payload.organization_id + "/" + payload.server_or_region', windowMinutes: 60 });
  for (let i = 0; i < 10; i++) dedup.push({ name: `svc-window-${i}`, service: SERVICES[i]!, windowMinutes: 30 });
  // 10 delay rules
  for (let i = 0; i < 10; i++) delays.push({ name: `hold-${i}`, when: `tags.severity == "sev3" && tags.?component.orValue("") == "c${i}"`, holdMinutes: 5 + i });
  const total = tagging.length + routing.length + suppression.length + dedup.length + delays.length;
  if (total !== RULES) throw new Error(`expected ${RULES} rules, built ${total}`);
  return {
    version: 1,
    teams: [{ name: 'platform' }, { name: 'security' }],
    services: SERVICES.map((name, i) => ({ name, team: i % 2 ? 'platform' : 'security' })),
    routing: { default: { service: 'svc-0' } },
    rules: { tagging, routing, suppression, dedup, delays },
    maintenance: [
      { name: 'weekly', services: ['svc-5'], rrule: 'FREQ=WEEKLY;BYDAY=MO', timezone: 'Europe/Berlin', firstStart: '2023-01-02T15:00', durationMinutes: 60 },
      { name: 'freeze', when: 'tags.?env.orValue("") == "staging"', start: '2024-06-10T14:00:00Z', end: '2024-06-10T15:00:00Z' },
    ],
  };
}

function buildAlerts(): NormalizedAlert[] {
  const rnd = prng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: ALERTS }, (_, i): NormalizedAlert => {
    if (rnd() < 0.6) {
      const app = Math.floor(rnd() * 80);
      const kind = pick(['5xx', 'latency', 'canary-cpu', 'disk-full', 'queue-depth']);
      const name = `app${app}-${kind}`;
      const account = pick(ACCOUNTS);
      const region = pick(REGIONS);
      const arn = `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
      return {
        source: 'cloudwatch', deliveryKey: `cw:${arn}|${i}|ALARM`, identity: [['AlarmArn', arn]], fingerprintKey: `cw:${arn}`,
        action: 'trigger', title: `ALARM: ${name}`, description: `Threshold crossed for ${name}`, severity: pick(['sev2', 'sev3']),
        sourceSeverity: 'ALARM', occurredAt: '2024-06-10T14:04:00.000Z', alertUrl: null, resource: `app/${name}`,
        labels: { account, region, alarm_name: name, namespace: pick(NAMESPACES), metric_name: 'Metric', via: 'sns-https' },
        raw: { AlarmName: name, AWSAccountId: account, NewStateValue: 'ALARM', Trigger: { Namespace: 'AWS/ApplicationELB', Dimensions: [] } },
      };
    }
    const org = `org-${Math.floor(rnd() * 15)}`;
    const host = `ip-10-0-${Math.floor(rnd() * 255)}-${Math.floor(rnd() * 255)}`;
    const title = `Rule-${Math.floor(rnd() * 30)} ${pick(['firewall change', 'new login', 'outbound connection'])} on ${host}`;
    return {
      source: 'threatstack', deliveryKey: `ts:${i}`, identity: [['organization_id', org], ['source', 'Host'], ['server_or_region', host], ['title', title]],
      fingerprintKey: `ts:${org}:Host:${host}:${title}`, action: 'trigger', title, description: title, severity: pick(['sev1', 'sev2', 'sev3']),
      sourceSeverity: '2', occurredAt: '2024-06-10T14:04:00.000Z', alertUrl: null, resource: host,
      labels: { organization_id: org, ts_source: 'Host', host },
      raw: { id: String(i), title, created_at: 1718028000000, severity: 2, organization_id: org, server_or_region: host, source: 'Host' },
    };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(label: string, rules: Rules, alerts: NormalizedAlert[]): number {
  for (let i = 0; i < 2000; i++) evaluateAlert(alerts[i % alerts.length]!, rules, NOW); // warm-up
  const times: number[] = [];
  let checksum = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (const alert of alerts) checksum += evaluateAlert(alert, rules, NOW).trace.length;
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const usPerAlert = (ms * 1000) / alerts.length;
  console.log(`${label.padEnd(22)} ${(alerts.length / (ms / 1000)).toFixed(0).padStart(9)} alerts/s  ${usPerAlert.toFixed(2).padStart(7)} µs/alert  (median of ${RUNS} runs over ${alerts.length} alerts; checksum ${checksum})`);
  return usPerAlert;
}

function main(): void {
  const input = buildConfig();
  let t0 = performance.now();
  const config = parsePipelineConfig(input);
  const parseMs = performance.now() - t0;
  t0 = performance.now();
  const compiled = compileRules(config);
  const compileMs = performance.now() - t0;
  const alerts = buildAlerts();

  console.log(`node ${process.version}, ${RULES} rules, ${ALERTS} alerts`);
  console.log(`config parse + check (zod + CEL type check): ${parseMs.toFixed(1)} ms`);
  console.log(`compileRules (CEL parse, once):              ${compileMs.toFixed(1)} ms`);
  const sample = alerts.slice(0, 2000).map((a) => evaluateAlert(a, compiled, NOW));
  const share = (pred: (e: (typeof sample)[number]) => boolean) => `${((100 * sample.filter(pred).length) / sample.length).toFixed(0)}%`;
  console.log(`outcomes (first 2000): routed by a rule ${share((e) => e.route.rule !== 'default')}, suppressed ${share((e) => e.suppression !== null)}, dedup rule ${share((e) => e.windowMinutes !== null)}, delayed ${share((e) => e.holdMinutes !== null)}, severity changed ${share((e) => e.trace.some((s) => s.outcome === 'severity'))}`);
  const usRules = measure('compileRules (200)', compiled, alerts);
  const usDefault = measure('defaultRules', defaultRules(config), alerts);
  console.log(`ratio: ${(usRules / usDefault).toFixed(1)}x the built-in defaults`);
}

main();
