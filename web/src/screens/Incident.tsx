/**
 * One incident: what it is, the actions (acknowledge, resolve, reassign, snooze, escalate now, note, start a
 * postmortem; hidden for viewers), its timeline, and its alerts with their decision traces and raw payloads.
 */
import { Accordion, Anchor, Button, Code, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Tabs, Text, Textarea, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, SeverityBadge, StatusBadge, Time } from '../components';
import { href, navigate } from '../router';
import { useCan } from '../session';
import type { IncidentDetail } from '../types';
import { RawPayloadView } from './RawPayload';
import { TraceViewer } from './TraceViewer';

export function IncidentScreen({ id }: { id: string }) {
  const qc = useQueryClient();
  const canAct = useCan('incident.act');
  const canDraft = useCan('postmortem.edit');
  const path = `/api/incidents/${encodeURIComponent(id)}`;
  const q = useQuery({ queryKey: ['incident', id], queryFn: () => api<IncidentDetail>(path), refetchInterval: 5000 });
  const people = useQuery({
    queryKey: ['services'],
    queryFn: () => api<{ services: Array<{ name: string; team: string; teamMembers: string[] }> }>('/api/services'),
    enabled: canAct,
  });
  const [note, setNote] = useState('');
  const [person, setPerson] = useState<string | null>(null);
  const [minutes, setMinutes] = useState<number | string>(30);
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['incident', id] });
    void qc.invalidateQueries({ queryKey: ['incidents'] });
  };
  const action = useMutation({
    mutationFn: ({ what, body }: { what: string; body?: unknown }) => api(`${path}/${what}`, { method: 'POST', body: body ?? {} }),
    onSuccess: done,
  });
  const postmortem = useMutation({
    mutationFn: () => api(`${path}/postmortem`, { method: 'POST', body: {} }),
    onSuccess: () => navigate('postmortems', id),
  });

  if (q.isLoading) return <Loading />;
  if (q.error || !q.data) return <ErrorBox error={q.error ?? new Error('no answer')} title={`Cannot read incident ${id}`} />;
  const { incident: inc, alerts, timeline, rules } = q.data;
  const open = inc.status === 'triggered' || inc.status === 'acknowledged';
  const members = [...new Set((people.data?.services ?? []).flatMap((s) => s.teamMembers))];
  const addNote = (e: FormEvent) => {
    e.preventDefault();
    if (note.trim()) action.mutate({ what: 'notes', body: { text: note.trim() } }, { onSuccess: () => setNote('') });
  };

  return (
    <Stack>
      <Anchor href={href('incidents')} size="sm">← Incidents</Anchor>
      <Group gap="xs">
        <SeverityBadge severity={inc.severity} />
        <StatusBadge status={inc.status} />
      </Group>
      <Title order={1} size="h2">{inc.title}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="xs">
        <Text size="sm"><b>Service</b> {inc.route.service}{inc.route.team ? ` (team ${inc.route.team})` : ''}</Text>
        <Text size="sm"><b>Source</b> {inc.source}</Text>
        <Text size="sm"><b>Opened</b> <Time at={inc.openedAt} /></Text>
        <Text size="sm"><b>Alerts</b> {inc.alertCount}</Text>
        <Text size="sm"><b>Assignee</b> {inc.assignee ?? 'per escalation policy'}</Text>
        <Text size="sm"><b>Acknowledged</b> {inc.acknowledgedBy ? <>{inc.acknowledgedBy}, <Time at={inc.acknowledgedAt} /></> : '—'}</Text>
        <Text size="sm"><b>Resolved</b> {inc.resolvedBy ? <>{inc.resolvedBy}, <Time at={inc.resolvedAt} /></> : '—'}</Text>
        {inc.alertUrl && <Anchor size="sm" href={inc.alertUrl} target="_blank" rel="noreferrer">Open at the source</Anchor>}
      </SimpleGrid>
      {inc.suppressionReason && <Text size="sm">Suppressed: {inc.suppressionReason}</Text>}
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{inc.description}</Text>
      {Object.keys(inc.tags).length > 0 && <Text size="xs" c="dimmed">Tags: {Object.entries(inc.tags).map(([k, v]) => `${k}=${v}`).join(', ')}</Text>}

      <ErrorBox error={action.error ?? postmortem.error} />
      {(canAct || canDraft) && (
        <Paper withBorder p="sm">
          <Stack gap="xs">
            <Group gap="xs">
              {canAct && inc.status === 'triggered' && <Button onClick={() => action.mutate({ what: 'acknowledge' })} loading={action.isPending}>Acknowledge</Button>}
              {canAct && open && <Button color="#1b6e2d" onClick={() => action.mutate({ what: 'resolve' })} loading={action.isPending}>Resolve</Button>}
              {canAct && open && <Button variant="outline" onClick={() => action.mutate({ what: 'escalate' })}>Escalate now</Button>}
              {canDraft && <Button variant="outline" onClick={() => postmortem.mutate()} loading={postmortem.isPending}>Start postmortem</Button>}
              {canDraft && <Anchor href={href('postmortems', id)} size="sm">Open postmortem</Anchor>}
            </Group>
            {canAct && open && (
              <Group gap="xs" align="flex-end">
                <Select label="Reassign to" data={members} value={person} onChange={setPerson} searchable w={180} />
                <Button variant="outline" disabled={!person} onClick={() => action.mutate({ what: 'reassign', body: { person } })}>Reassign</Button>
                {inc.status === 'acknowledged' && (
                  <>
                    <NumberInput label="Snooze minutes" min={1} max={10080} value={minutes} onChange={setMinutes} w={140} />
                    <Button variant="outline" onClick={() => action.mutate({ what: 'snooze', body: { minutes: Number(minutes) } })}>Snooze</Button>
                  </>
                )}
              </Group>
            )}
          </Stack>
        </Paper>
      )}

      <Tabs defaultValue="timeline" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="timeline">Timeline ({timeline.length})</Tabs.Tab>
          <Tabs.Tab value="alerts">Alerts and decision traces ({alerts.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="timeline" pt="sm">
          {canAct && (
            <form onSubmit={addNote}>
              <Group align="flex-end" gap="xs" mb="md">
                <Textarea label="Add a note" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={1} style={{ flex: 1, minWidth: 200 }} />
                <Button type="submit" disabled={!note.trim()}>Add note</Button>
              </Group>
            </form>
          )}
          <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
            {timeline.map((t, i) => (
              <Timeline.Item key={i} title={<Text size="sm" fw={600}>{t.type} · {t.actor}</Text>}>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{t.message}</Text>
                <Text size="xs" c="dimmed"><Time at={t.at} seconds /></Text>
              </Timeline.Item>
            ))}
          </Timeline>
        </Tabs.Panel>
        <Tabs.Panel value="alerts" pt="sm">
          <Accordion multiple variant="separated">
            {alerts.map((a) => (
              <Accordion.Item key={a.deliveryKey} value={a.deliveryKey}>
                <Accordion.Control>
                  <Text size="sm" fw={600}>{a.title}</Text>
                  <Text size="xs" c="dimmed">{a.action} · {a.source} · occurred <Time at={a.occurredAt} seconds /></Text>
                </Accordion.Control>
                <Accordion.Panel>
                  <Stack gap="sm">
                    <TraceViewer steps={a.trace.steps} rules={rules} />
                    <Title order={4}>Alert record</Title>
                    <Code block tabIndex={0} aria-label="Alert record" style={{ maxHeight: 320, overflow: 'auto' }}>{JSON.stringify(a, null, 2)}</Code>
                    <Title order={4}>Raw payload</Title>
                    <Text size="xs" c="dimmed">What the source sent, archived under <Code>{a.archiveKey}</Code>.</Text>
                    <RawPayloadView incidentId={id} alertId={a.alertId} title={a.title} />
                  </Stack>
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
