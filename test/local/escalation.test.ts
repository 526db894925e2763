/**
 * Escalation end to end: the synthesized Step Functions definition runs locally (aws-local-stepfunctions) over the
 * real escalation-step code, the embedded DynamoDB and the local outbox. Waits are scaled down (timeScale).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import { startTestRuntime, type TestRuntime } from '../support/local-runtime';

const config = parsePipelineConfig({
  version: 1,
  people: [
    { name: 'alice', contacts: [{ type: 'email', address: 'alice@example.com' }] },
    { name: 'bob', contacts: [{ type: 'sms', number: '+14155550100' }] },
    { name: 'carol', contacts: [{ type: 'email', address: 'carol@example.com' }] },
  ],
  teams: [{ name: 'platform', members: ['alice', 'bob'] }],
  services: [{ name: 'platform', team: 'platform' }],
  channels: [{ name: 'platform-slack', type: 'slack', secret: 'platform-slack' }],
  schedules: [{ name: 'primary', timezone: 'Europe/Berlin', layers: [{ name: 'weekly', members: ['alice', 'bob'], rotation: 'weekly', start: '2024-01-01T09:00' }] }],
  escalationPolicies: [
    {
      name: 'default',
      repeat: 1,
      levels: [
        { targets: [{ schedule: 'primary' }, { channel: 'platform-slack' }], escalateAfterMinutes: 10 },
        { targets: [{ person: 'carol' }], escalateAfterMinutes: 10 },
      ],
    },
    { name: 'single', levels: [{ targets: [{ person: 'alice' }], escalateAfterMinutes: 5 }] },
  ],
  routing: { default: { service: 'platform', escalationPolicy: 'default' } },
});

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'threatstack', `${name}.json`), 'utf8'));
const alarm = (state: 'ALARM' | 'OK', at: string) => ({
  ...JSON.parse(JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'events', 'cloudwatch', 'sns-https-metric-alarm.json'), 'utf8')).Message),
  NewStateValue: state,
  StateChangeTime: at,
});

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('escalation over the synthesized state machine', () => {
  let rt: TestRuntime;
  // 10 minutes of escalation delay take 10 s (ample time to acknowledge), or 0.1 s where a test walks every level.
  beforeEach(async () => {
    rt = await startTestRuntime({ config, timeScale: 60, sweepIntervalMs: 0 });
  });
  const fast = async () => {
    await rt.cleanup();
    rt = await startTestRuntime({ config, timeScale: 6000, sweepIntervalMs: 0 });
  };
  afterEach(async () => rt.cleanup());

  const openIncident = async (body = fixture('bare-alert')) => {
    expect((await rt.post(`/ingest/threatstack/${rt.ingestToken}`, body)).status).toBe(200);
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents;
    return inc as { id: string };
  };
  const timeline = async (id: string) => (await rt.get(`/api/incidents/${id}`)).body.timeline as Array<{ type: string; message: string; data?: any }>;
  const pages = async (id: string) => (await timeline(id)).filter((t) => t.type === 'page');

  it('an acknowledgement at level 1 stops the execution after 1 state transition', async () => {
    const inc = await openIncident();
    await until('level 1 page', async () => (await pages(inc.id)).length === 1);
    // Acknowledge through the one-click link from the outbox (GET shows a page, POST acts).
    const slack = rt.outbox.list(10, inc.id).find((n) => n.type === 'slack')!;
    const ackUrl = JSON.stringify(slack.payload).match(/http:\/\/localhost:\d+\/act\/[A-Za-z0-9._-]+/)![0];
    const confirm = await fetch(ackUrl);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Acknowledge this incident?');
    const acted = await fetch(ackUrl, { method: 'POST' });
    expect(acted.status).toBe(200);
    expect((await fetch(ackUrl, { method: 'POST' })).status).toBe(409); // single use
    await rt.escalations!.idle();
    const name = `${inc.id}-r0`;
    expect(rt.escalations!.transitions.get(name)).toBe(1); // level 1 paged inline; the Wait before level 2 -> stopped
    expect((await pages(inc.id)).length).toBe(1);
    const detail = (await rt.get(`/api/incidents/${inc.id}`)).body;
    // A shared channel's link records the channel it was sent to (a person's link records the person: test/local/identity.test.ts).
    expect(detail.incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'channel platform-slack via link' });
    expect(detail.timeline.map((t: any) => t.type)).toEqual(expect.arrayContaining(['opened', 'escalated', 'page', 'notification', 'acknowledged']));
  });

  it('nobody acknowledging walks every level and the repeat, then stops', async () => {
    await fast();
    const inc = await openIncident();
    await rt.escalations!.idle();
    const p = await pages(inc.id);
    expect(p.map((x) => [x.data.level, x.data.round])).toEqual([[0, 0], [1, 0], [0, 1], [1, 1]]);
    expect(p[0]!.message).toMatch(/paging (alice|bob) \(schedule:primary\), channel platform-slack/);
    expect(p[1]!.message).toMatch(/paging carol \(direct\)/);
    const t = await timeline(inc.id);
    expect(t[t.length - 1]!.message).toMatch(/^Escalation exhausted/);
    // Every delivery attempt is on the timeline; the outbox has one entry per delivery.
    expect(t.filter((x) => x.type === 'notification' && x.data.outcome === 'sent').length).toBe(rt.outbox.list(100, inc.id).length);
  });

  it('a CloudWatch OK resolves the incident and stops its execution', async () => {
    await rt.post(`/local/alarm-topic/${rt.ingestToken}`, alarm('ALARM', '2024-06-10T14:03:12.345+0000'));
    await rt.drain();
    const [inc] = (await rt.get('/api/incidents')).body.incidents;
    await until('level 1 page', async () => (await pages(inc.id)).length >= 1);
    await rt.post(`/local/alarm-topic/${rt.ingestToken}`, alarm('OK', '2024-06-10T14:20:12.345+0000'));
    await rt.drain();
    await rt.escalations!.idle();
    expect((await rt.get(`/api/incidents/${inc.id}`)).body.incident.status).toBe('resolved');
    expect((await pages(inc.id)).length).toBe(1);
    expect(rt.escalations!.transitions.get(`${inc.id}-r0`)).toBe(1);
  });

  it('a redelivered alert does not start a second execution', async () => {
    await fast();
    const inc = await openIncident();
    await rt.post(`/ingest/threatstack/${rt.ingestToken}`, fixture('bare-alert'));
    await rt.post(`/ingest/threatstack/${rt.ingestToken}`, { ...fixture('bare-alert'), id: 'another-alert-same-fingerprint' });
    await rt.drain();
    await rt.escalations!.idle();
    expect([...rt.escalations!.transitions.keys()]).toEqual([`${inc.id}-r0`]);
    expect((await pages(inc.id)).length).toBe(4);
  });

  it('escalate-now pages the next level at once; snooze re-escalates when it ends', async () => {
    const inc = await openIncident();
    await until('level 1 page', async () => (await pages(inc.id)).length === 1);
    expect((await rt.apiPost(`/api/incidents/${inc.id}/acknowledge`)).status).toBe(200);
    const escalated = await rt.apiPost(`/api/incidents/${inc.id}/escalate`, { by: 'alice' });
    expect(escalated.status).toBe(200);
    await until('level 2 page', async () => (await pages(inc.id)).some((p) => p.data.level === 1));
    expect((await rt.apiPost(`/api/incidents/${inc.id}/snooze`, { minutes: 1 })).body.incident).toMatchObject({ status: 'acknowledged' });
    expect((await rt.apiPost(`/api/incidents/${inc.id}/reassign`, { person: 'nobody-known' })).status).toBe(400);
    expect((await rt.apiPost(`/api/incidents/${inc.id}/reassign`, { person: 'carol' })).body.incident.assignee).toBe('carol');
  });

  it('reassigning a triggered incident pages the new assignee at once, and later pages go to them', async () => {
    const inc = await openIncident();
    await until('level 1 page', async () => (await pages(inc.id)).length === 1);
    const res = await rt.apiPost(`/api/incidents/${inc.id}/reassign`, { person: 'carol', by: 'alice' });
    expect(res.status).toBe(200);
    await until('the page to carol', async () => (await pages(inc.id)).some((p) => p.message.includes('carol (direct)')));
    expect(rt.outbox.list(20, inc.id).some((n) => n.person === 'carol')).toBe(true);
    expect((await timeline(inc.id)).map((t) => t.type)).toContain('reassigned');
  });

  it('one level and no repeat pages inline without an execution', async () => {
    const single = parsePipelineConfig({ ...config, routing: { default: { service: 'platform', escalationPolicy: 'single' } } });
    await rt.cleanup();
    rt = await startTestRuntime({ config: single, timeScale: 6000, sweepIntervalMs: 0 });
    const inc = await openIncident();
    await until('the page', async () => (await pages(inc.id)).length === 1);
    expect(rt.escalations!.transitions.size).toBe(0);
    expect(rt.outbox.list(10, inc.id).map((n) => n.person)).toEqual(['alice']);
  });

  it('answers who is on call, honours an override, and serves the calendar feed', async () => {
    const now = await rt.get('/api/oncall?at=2024-03-31T08:30:00Z');
    expect(now.status).toBe(200);
    const entry = now.body.schedules[0];
    expect(entry.schedule).toBe('primary');
    const override = await rt.apiPost('/api/schedules/primary/overrides', { person: 'carol', start: '2024-03-31T08:00:00Z', end: '2024-03-31T10:00:00Z' });
    expect(override.status).toBe(201);
    const after = await rt.get('/api/oncall?at=2024-03-31T08:30:00Z');
    expect(after.body.schedules[0].onCall).toMatchObject({ person: 'carol', layer: 'override' });
    const ical = await fetch(entry.icalUrl);
    expect(ical.status).toBe(200);
    expect(await ical.text()).toMatch(/^BEGIN:VCALENDAR/);
    expect((await fetch(entry.icalUrl.replace(/.$/, (c: string) => (c === 'x' ? 'y' : 'x')))).status).toBe(404);
  });
});
