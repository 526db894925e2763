/** On-call: who is on call now per schedule, the next shifts, overrides (create, delete) and the iCal feeds. */
import { Anchor, Button, Card, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, Time } from '../components';
import { useCan } from '../session';
import type { OnCall } from '../types';

interface OnCallAnswer { at: string; schedules: Array<{ schedule: string; onCall: OnCall | null; icalUrl: string | null }> }
interface Override { id: string; schedule: string; person: string; start: string; end: string; reason?: string; createdBy: string }

/** The next shifts of every schedule: each shift's end asks who is on call then (up to `count` shifts ahead). */
async function nextShifts(first: OnCallAnswer, count: number): Promise<Record<string, OnCall[]>> {
  const out: Record<string, OnCall[]> = {};
  for (const s of first.schedules) {
    const shifts: OnCall[] = [];
    let at = s.onCall?.shiftEnd;
    for (let i = 0; i < count && at; i++) {
      const a = await api<OnCallAnswer>(`/api/oncall?at=${encodeURIComponent(at)}`);
      const next = a.schedules.find((x) => x.schedule === s.schedule)?.onCall;
      if (!next || next.shiftEnd <= at) break;
      shifts.push(next);
      at = next.shiftEnd;
    }
    out[s.schedule] = shifts;
  }
  return out;
}

export function OnCallScreen() {
  const canOverride = useCan('oncall.override');
  const now = useQuery({ queryKey: ['oncall'], queryFn: () => api<OnCallAnswer>('/api/oncall'), refetchInterval: 60_000 });
  const next = useQuery({ queryKey: ['oncall-next', now.data?.at], queryFn: () => nextShifts(now.data!, 3), enabled: !!now.data });
  if (now.isLoading) return <Loading />;
  if (now.error || !now.data) return <ErrorBox error={now.error} />;
  return (
    <Stack>
      <Title order={1} size="h2">On-call</Title>
      {now.data.schedules.length === 0 && <Text>No schedules are configured.</Text>}
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {now.data.schedules.map((s) => (
          <Card withBorder key={s.schedule}>
            <Stack gap="xs">
              <Title order={2} size="h4">{s.schedule}</Title>
              <Text>
                Now: <b>{s.onCall?.person ?? 'nobody'}</b>
                {s.onCall && <> ({s.onCall.layer}) until <Time at={s.onCall.shiftEnd} /></>}
              </Text>
              <Text size="sm" fw={600}>Next shifts</Text>
              {next.isLoading ? <Loading /> : (
                <ul style={{ margin: 0 }}>
                  {(next.data?.[s.schedule] ?? []).map((n) => (
                    <li key={n.shiftStart}><Text size="sm">{n.person} ({n.layer}) <Time at={n.shiftStart} /> – <Time at={n.shiftEnd} /></Text></li>
                  ))}
                </ul>
              )}
              {s.icalUrl && <Anchor size="sm" href={s.icalUrl}>iCal feed of {s.schedule}</Anchor>}
              <Overrides schedule={s.schedule} canEdit={canOverride} />
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

function Overrides({ schedule, canEdit }: { schedule: string; canEdit: boolean }) {
  const qc = useQueryClient();
  const path = `/api/schedules/${encodeURIComponent(schedule)}/overrides`;
  const list = useQuery({ queryKey: ['overrides', schedule], queryFn: () => api<{ overrides: Override[] }>(path) });
  const people = useQuery({ queryKey: ['services'], queryFn: () => api<{ services: Array<{ teamMembers: string[] }> }>('/api/services') });
  const [form, setForm] = useState({ person: '', start: '', end: '', reason: '' });
  const changed = () => {
    void qc.invalidateQueries({ queryKey: ['overrides', schedule] });
    void qc.invalidateQueries({ queryKey: ['oncall'] });
  };
  const create = useMutation({
    mutationFn: () => api(path, { method: 'POST', body: { person: form.person, start: new Date(form.start).toISOString(), end: new Date(form.end).toISOString(), ...(form.reason ? { reason: form.reason } : {}) } }),
    onSuccess: () => { setForm({ person: '', start: '', end: '', reason: '' }); changed(); },
  });
  const remove = useMutation({ mutationFn: (id: string) => api(`${path}/${encodeURIComponent(id)}`, { method: 'DELETE' }), onSuccess: changed });
  const members = [...new Set((people.data?.services ?? []).flatMap((s) => s.teamMembers))];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Stack gap="xs">
      <Text size="sm" fw={600}>Overrides</Text>
      <ErrorBox error={list.error ?? create.error ?? remove.error} />
      {(list.data?.overrides ?? []).length === 0 ? <Text size="sm" c="dimmed">None.</Text> : (
        <Table aria-label={`Overrides of ${schedule}`}>
          <Table.Tbody>
            {list.data!.overrides.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>{o.person}</Table.Td>
                <Table.Td><Time at={o.start} /> – <Time at={o.end} /></Table.Td>
                {canEdit && <Table.Td><Button size="compact-xs" variant="subtle" color="red.9" onClick={() => remove.mutate(o.id)}>Delete</Button></Table.Td>}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canEdit && (
        <form onSubmit={submit}>
          <Group gap="xs" align="flex-end">
            <Select label="Person" data={members} value={form.person || null} onChange={(v) => setForm({ ...form, person: v ?? '' })} required w={140} />
            <TextInput label="Start" type="datetime-local" value={form.start} onChange={(e) => setForm({ ...form, start: e.currentTarget.value })} required />
            <TextInput label="End" type="datetime-local" value={form.end} onChange={(e) => setForm({ ...form, end: e.currentTarget.value })} required />
            <TextInput label="Reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
            <Button type="submit" loading={create.isPending}>Add override</Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}
