/**
 * Sends sample alerts to a running local pipeline (`npm start`) and prints what became of them:
 *   1. a Threat Stack batch (Host + CloudTrail alerts), then the same batch again (a sender retry: counted once),
 *      then a repeat of the host alert with a new id (joins the open incident);
 *   2. a CloudWatch alarm going to ALARM (through the local alarm topic, as SNS -> Lambda), then to OK (resolves);
 *   3. the decision traces of the checkout alarm (the repo config's cloudwatchAlarms.local tags it team=payments, a
 *      routing rule on alarm.tags sends it to the payments service), a "firewall" Threat Stack alert (tagged sev1 and
 *      routed to the security service; sent with the token of the config's Threat Stack integration when it has one:
 *      the first step of its trace names the integration) and a "canary-" CloudWatch alarm (suppressed by a rule:
 *      recorded, never paged);
 *   4. the pages in the local outbox and a one-click acknowledge of the first one.
 * Usage: npm run send-samples   (BASE_URL, INGEST_TOKEN, API_TOKEN, DATA_DIR, PORT are honoured)
 */
import '../lambdas/local/check-node-version'; // first: stops with a clear message on an unsupported Node.js
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH, loadPipelineConfig } from '../lib/config/load-pipeline-config';

const dataDir = resolve(process.env.DATA_DIR ?? '.data');
const secretsFile = join(dataDir, 'local-secrets.json');
type Stored = { apiToken?: string; ingestToken?: string; integrations?: Record<string, { current?: string }> };
const stored: Stored = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Stored) : {};
const base = process.env.BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
const ingestToken = process.env.INGEST_TOKEN ?? stored.ingestToken;
const apiToken = process.env.API_TOKEN ?? stored.apiToken;

if (!ingestToken || !apiToken) {
  console.error(`No tokens: start the pipeline with npm start first (it writes ${secretsFile}), or set INGEST_TOKEN and API_TOKEN.`);
  process.exit(1);
}

/** The token of the config's first live integration of a source (from local-secrets.json), else the ingest token. */
function tokenFor(source: string): string {
  try {
    const config = loadPipelineConfig(process.env.PIPELINE_CONFIG || DEFAULT_CONFIG_PATH);
    const integration = config.integrations.find((i) => i.source === source && !i.revoked);
    return (integration && stored.integrations?.[integration.name]?.current) || ingestToken!;
  } catch {
    return ingestToken!;
  }
}
const threatStackToken = tokenFor('threatstack');

const now = Date.now();
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const runId = hex(6);

async function post(path: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
  const text = await res.text();
  console.log(`POST ${path.replace(ingestToken!, '<token>').replace(threatStackToken, '<integration token>')} -> ${res.status} ${text}`);
  if (!res.ok) throw new Error(`unexpected status ${res.status}`);
}

async function api(path: string) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${apiToken}` } });
  if (!res.ok) throw new Error(`GET ${path} -> ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

const tsBatch = {
  alerts: [
    {
      id: `6650f1c2a9e4b0d5${runId}01`,
      title: 'Unexpected outbound connection: curl to 203.0.113.77 by ubuntu',
      created_at: now - 60_000,
      severity: 1,
      organization_id: '5f0e1d2c3b4a596877665544',
      organization_name: 'Example Corp',
      server_or_region: `ip-10-0-12-34-${runId}.ec2.internal`,
      source: 'Host',
    },
    {
      id: `6650f1c3a9e4b0d5${runId}02`,
      title: `CloudTrail Activity: IAM policy change: AttachUserPolicy by deploy-bot (${runId})`,
      created_at: String(now - 59_000),
      severity: '2',
      organization_id: '5f0e1d2c3b4a596877665544',
      organization_Name: 'Example Corp',
      server_or_region: 'us-east-1',
      source: 'CloudTrail',
    },
  ],
};

const repeat = { ...tsBatch.alerts[0], id: `6650f1c4a9e4b0d5${runId}03`, title: 'Unexpected outbound connection: curl to 198.51.100.9 by root', created_at: now - 30_000 };

const alarmName = `checkout-5xx-rate-${runId}`;
const alarmArn = `arn:aws:cloudwatch:eu-west-1:111122223333:alarm:${alarmName}`;
const cwTime = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');
const alarm = (state: 'ALARM' | 'OK', at: number) => ({
  AlarmName: alarmName,
  AlarmDescription: 'ALB 5xx count above 2 per minute for 3 minutes',
  AWSAccountId: '111122223333',
  NewStateValue: state,
  NewStateReason: state === 'ALARM'
    ? 'Threshold Crossed: 3 out of the last 3 datapoints [4.0, 7.0, 3.0] were greater than the threshold (2.0).'
    : 'Threshold Crossed: 3 out of the last 3 datapoints [0.0, 1.0, 0.0] were not greater than the threshold (2.0).',
  StateChangeTime: cwTime(at),
  Region: 'EU (Ireland)',
  AlarmArn: alarmArn,
  OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
  Trigger: {
    MetricName: 'HTTPCode_Target_5XX_Count', Namespace: 'AWS/ApplicationELB', StatisticType: 'Statistic', Statistic: 'SUM', Unit: null,
    Dimensions: [{ value: 'app/checkout-alb/0123456789abcdef', name: 'LoadBalancer' }], Period: 60, EvaluationPeriods: 3,
    ComparisonOperator: 'GreaterThanThreshold', Threshold: 2.0, TreatMissingData: 'notBreaching', EvaluateLowSampleCountPercentile: '',
  },
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Inc = { id: string; status: string; title: string; alertCount: number; severity: string; source: string; alertUrl: string | null };

let hostIncident: Inc | undefined;
const hostIncidentId = () => hostIncident?.id;

async function main() {
  console.log(`Sending samples to ${base} (run ${runId})\n`);
  console.log('1. Threat Stack: a batch, the same batch again (sender retry), then a repeat of the host alert');
  await post(`/ingest/threatstack/${ingestToken}`, tsBatch);
  await post(`/ingest/threatstack/${ingestToken}`, tsBatch);
  await post(`/ingest/threatstack/${ingestToken}`, repeat);

  console.log('\n2. CloudWatch: alarm to ALARM, then to OK (via the local alarm topic = SNS -> Lambda)');
  await post(`/local/alarm-topic/${ingestToken}`, alarm('ALARM', now - 20_000));
  const cwIncident = await waitFor('the CloudWatch incident', async () => {
    const list = (await api('/api/incidents?limit=50')) as { incidents: Inc[] };
    return list.incidents.find((i) => i.title.includes(alarmName));
  });
  console.log(`   -> ${cwIncident.id} is ${cwIncident.status}`);
  await post(`/local/alarm-topic/${ingestToken}`, alarm('OK', now - 5_000));
  const resolved = await waitFor('the CloudWatch incident to resolve', async () => {
    const { incident } = (await api(`/api/incidents/${cwIncident.id}`)) as { incident: Inc };
    return incident.status === 'resolved' ? incident : undefined;
  });

  hostIncident = await waitFor('the Threat Stack host incident with 2 alerts', async () => {
    const list = (await api('/api/incidents?limit=50')) as { incidents: Inc[] };
    const inc = list.incidents.find((i) => i.source === 'threatstack' && i.title.startsWith('Unexpected outbound connection') && i.alertCount >= 2);
    return inc;
  });

  console.log('\n3. Rules: the checkout alarm (routed to payments by its team tag), a firewall alert (routed to security) and a canary alarm (suppressed)');
  const firewall = { ...tsBatch.alerts[0], id: `6650f1c5a9e4b0d5${runId}05`, title: `Firewall rule changed on ip-10-0-9-9 (${runId})`, server_or_region: `ip-10-0-9-9-${runId}` };
  await post(`/ingest/threatstack/${threatStackToken}`, firewall);
  await post(`/local/alarm-topic/${ingestToken}`, { ...alarm('ALARM', now - 10_000), AlarmName: `canary-login-${runId}`, AlarmArn: `${alarmArn.replace(alarmName, `canary-login-${runId}`)}` });
  type Step = { stage: string; outcome: string; reason: string };
  const traceOf = async (match: (i: Inc) => boolean) => {
    const inc = await waitFor('an incident', async () => ((await api('/api/incidents?limit=50')) as { incidents: Inc[] }).incidents.find(match));
    const detail = (await api(`/api/incidents/${inc.id}`)) as { incident: Inc & { route: { service: string }; suppressionReason: string | null }; alerts: Array<{ trace: { steps: Step[] } }> };
    return detail;
  };
  for (const [label, match] of [
    ['checkout alarm', (i: Inc) => i.title.includes(alarmName)],
    ['firewall alert', (i: Inc) => i.title.startsWith('Firewall rule changed') && i.title.includes(runId)],
    ['canary alarm', (i: Inc) => i.title.includes(`canary-login-${runId}`)],
  ] as const) {
    const d = await traceOf(match);
    console.log(`   ${label}: ${d.incident.id} ${d.incident.status} ${d.incident.severity} service=${d.incident.route.service}${d.incident.suppressionReason ? ` (${d.incident.suppressionReason})` : ''}`);
    for (const st of d.alerts[0]?.trace.steps ?? []) console.log(`     ${st.stage.padEnd(11)} ${st.outcome.padEnd(12)} ${st.reason}`);
  }

  console.log('\n4. Pages in the local outbox (escalation through the synthesized state machine)');
  type Note = { incidentId: string; type: string; channel: string | null; person: string | null; subject: string; payload: unknown };
  const notes = await waitFor('a page in the outbox', async () => {
    const { notifications } = (await api('/local/outbox')) as { notifications: Note[] };
    const mine = notifications.filter((n) => n.incidentId === hostIncidentId());
    return mine.length > 0 ? mine : undefined;
  });
  for (const n of notes) console.log(`   ${n.incidentId} -> ${n.type}${n.channel ? `:${n.channel}` : ''}${n.person ? ` (${n.person})` : ''}: ${n.subject}`);
  const link = JSON.stringify(notes[0]?.payload ?? '').match(/https?:\/\/[^"\s]+\/act\/[A-Za-z0-9._-]+/)?.[0];
  if (link) {
    const res = await fetch(link, { method: 'POST' });
    const { incident } = (await api(`/api/incidents/${hostIncidentId()}`)) as { incident: { acknowledgedBy: string | null } };
    // The link is signed for whom it was sent to, and the timeline records them ("bob via link").
    console.log(`   one-click acknowledge (POST ${link.replace(/act\/.*/, 'act/<signed token>')}) -> ${res.status}, acknowledged by ${incident.acknowledgedBy ?? '-'}`);
  }

  console.log('\nResult:');
  const { incidents } = (await api('/api/incidents?limit=10')) as { incidents: Inc[] };
  for (const i of incidents.filter((x) => x.id === hostIncident!.id || x.id === resolved.id || x.title.includes(runId))) {
    console.log(`  ${i.id}  ${i.status.padEnd(12)} ${i.severity}  alerts=${i.alertCount}  ${i.title}`);
  }
  console.log(`\nDetails with timeline and decision traces:\n  curl -H "Authorization: Bearer ${apiToken}" ${base}/api/incidents/${hostIncident!.id}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
