/**
 * Services and status: each component's status with why, status incidents and their updates (publish), manual
 * overrides, and maintenance windows (list, create, end). Writes need the admin role (hidden otherwise).
 */
import { Anchor, Button, Card, Checkbox, Group, MultiSelect, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, StatusBadge, Time } from '../components';
import { href } from '../router';
import { useCan } from '../session';
import type { ComponentState, StatusIncident, StatusOverride, StatusWhy } from '../types';

interface StatusAnswer { components: Array<ComponentState & { since?: string; uptime90?: number | null }>; overrides: StatusOverride[]; incidents: StatusIncident[] }
interface Maintenance { id: string; name: string; reason?: string; services: string[]; start: string; end: string; public?: boolean; createdBy: string }

const UPDATE_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];
const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];

function Why({ why }: { why: StatusWhy }) {
  switch (why.kind) {
    case 'incident': return <>incident <Anchor href={href('incidents', why.incidentId)}>{why.incidentId}</Anchor> ({why.severity}, {why.incidentStatus})</>;
    case 'dependency': return <>depends on {why.service} ({why.dependencyStatus.replace(/_/g, ' ')}, impact {why.impact})</>;
    case 'override': return <>manual override until <Time at={why.until} />{why.reason ? `: ${why.reason}` : ''}</>;
    case 'maintenance': return <>maintenance “{why.name}” until <Time at={why.until} /></>;
  }
}

export function StatusScreen() {
  const qc = useQueryClient();
  const canWrite = useCan('status.write');
  const canMaintain = useCan('maintenance.write');
  const status = useQuery({ queryKey: ['status'], queryFn: () => api<StatusAnswer>('/api/status'), refetchInterval: 10_000 });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['status'] });
    void qc.invalidateQueries({ queryKey: ['maintenance'] });
  };
  if (status.isLoading) return <Loading />;
  if (status.error || !status.data) return <ErrorBox error={status.error} title="Cannot read the status" />;
  const services = status.data.components.map((c) => c.service);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">Services and status</Title>
        <Anchor href="/status" target="_blank">Public status page</Anchor>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {status.data.components.map((c) => (
          <Card withBorder key={c.service} data-component={c.service}>
            <Group justify="space-between"><Text fw={700}>{c.service}</Text><StatusBadge status={c.status} /></Group>
            {c.why.length === 0 ? <Text size="sm" c="dimmed">No open incident, override or maintenance.</Text> : (
              <ul style={{ margin: 0, paddingLeft: 18 }}>{c.why.map((w, i) => <li key={i}><Text size="sm" component="span"><Why why={w} /></Text></li>)}</ul>
            )}
            {typeof c.uptime90 === 'number' && <Text size="xs" c="dimmed">90-day uptime {(c.uptime90 * 100).toFixed(2)} %</Text>}
          </Card>
        ))}
      </SimpleGrid>

      <Title order={2} size="h3">Status incidents</Title>
      {status.data.incidents.length === 0 && <Text size="sm" c="dimmed">None published.</Text>}
      {status.data.incidents.map((si) => <StatusIncidentCard key={si.id} si={si} canWrite={canWrite} onDone={refresh} />)}
      {canWrite && <PublishIncident services={services} onDone={refresh} />}

      <Title order={2} size="h3">Overrides</Title>
      <Overrides overrides={status.data.overrides} services={services} canWrite={canWrite} onDone={refresh} />

      <Title order={2} size="h3">Maintenance windows</Title>
      <MaintenanceWindows services={services} canWrite={canMaintain} onDone={refresh} />
    </Stack>
  );
}

function StatusIncidentCard({ si, canWrite, onDone }: { si: StatusIncident; canWrite: boolean; onDone(): void }) {
  const [form, setForm] = useState({ status: si.status as string, message: '' });
  const update = useMutation({
    mutationFn: () => api(`/api/status/incidents/${encodeURIComponent(si.id)}/updates`, { method: 'POST', body: { status: form.status, message: form.message } }),
    onSuccess: () => { setForm({ ...form, message: '' }); onDone(); },
  });
  return (
    <Card withBorder>
      <Group justify="space-between"><Text fw={700}>{si.title}</Text><StatusBadge status={si.status} /></Group>
      <Text size="xs" c="dimmed">Affects {si.components.join(', ')}</Text>
      <ul style={{ paddingLeft: 18 }}>
        {si.updates.map((u) => <li key={u.id}><Text size="sm"><b>{u.status}</b> <Time at={u.at} />: {u.message}</Text></li>)}
      </ul>
      {canWrite && si.status !== 'resolved' && (
        <form onSubmit={(e) => { e.preventDefault(); update.mutate(); }}>
          <ErrorBox error={update.error} />
          <Group align="flex-end" gap="xs">
            <Select label="Stage" data={UPDATE_STATUSES} value={form.status} onChange={(v) => setForm({ ...form, status: v ?? 'investigating' })} w={160} />
            <TextInput label="Update" value={form.message} onChange={(e) => setForm({ ...form, message: e.currentTarget.value })} required style={{ flex: 1, minWidth: 200 }} />
            <Button type="submit" loading={update.isPending}>Post update</Button>
          </Group>
        </form>
      )}
    </Card>
  );
}

function PublishIncident({ services, onDone }: { services: string[]; onDone(): void }) {
  const empty = { title: '', components: [] as string[], status: 'investigating', message: '' };
  const [form, setForm] = useState(empty);
  const publish = useMutation({
    mutationFn: () => api('/api/status/incidents', { method: 'POST', body: form }),
    onSuccess: () => { setForm(empty); onDone(); },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); publish.mutate(); };
  return (
    <Card withBorder>
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Text fw={700}>Publish a status update</Text>
          <ErrorBox error={publish.error} />
          <TextInput label="Title" value={form.title} onChange={(e) => setForm({ ...form, title: e.currentTarget.value })} required />
          <MultiSelect label="Affected components" data={services} value={form.components} onChange={(v) => setForm({ ...form, components: v })} />
          <Select label="Stage" data={UPDATE_STATUSES} value={form.status} onChange={(v) => setForm({ ...form, status: v ?? 'investigating' })} />
          <Textarea label="Message" value={form.message} onChange={(e) => setForm({ ...form, message: e.currentTarget.value })} required />
          <Group><Button type="submit" loading={publish.isPending}>Publish</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}

function Overrides({ overrides, services, canWrite, onDone }: { overrides: StatusOverride[]; services: string[]; canWrite: boolean; onDone(): void }) {
  const empty = { service: '', status: 'degraded_performance', end: '', reason: '' };
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: () => api('/api/status/overrides', { method: 'POST', body: { service: form.service, status: form.status, end: new Date(form.end).toISOString(), ...(form.reason ? { reason: form.reason } : {}) } }),
    onSuccess: () => { setForm(empty); onDone(); },
  });
  const remove = useMutation({ mutationFn: (id: string) => api(`/api/status/overrides/${encodeURIComponent(id)}`, { method: 'DELETE' }), onSuccess: onDone });
  return (
    <Stack gap="xs">
      <ErrorBox error={create.error ?? remove.error} />
      {overrides.length === 0 ? <Text size="sm" c="dimmed">None.</Text> : (
        <Table aria-label="Status overrides">
          <Table.Tbody>
            {overrides.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>{o.service}</Table.Td><Table.Td><StatusBadge status={o.status} /></Table.Td>
                <Table.Td>until <Time at={o.end} /></Table.Td><Table.Td>{o.reason}</Table.Td>
                {canWrite && <Table.Td><Button size="compact-xs" variant="subtle" color="red.9" onClick={() => remove.mutate(o.id)}>Delete</Button></Table.Td>}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canWrite && (
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Group gap="xs" align="flex-end">
            <Select label="Component" data={services} value={form.service || null} onChange={(v) => setForm({ ...form, service: v ?? '' })} required w={160} />
            <Select label="Status" data={COMPONENT_STATUSES} value={form.status} onChange={(v) => setForm({ ...form, status: v ?? 'operational' })} w={200} />
            <TextInput label="Until" type="datetime-local" value={form.end} onChange={(e) => setForm({ ...form, end: e.currentTarget.value })} required />
            <TextInput label="Reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
            <Button type="submit" loading={create.isPending}>Set override</Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}

function MaintenanceWindows({ services, canWrite, onDone }: { services: string[]; canWrite: boolean; onDone(): void }) {
  const list = useQuery({ queryKey: ['maintenance'], queryFn: () => api<{ adHoc: Maintenance[]; configured: Array<{ name: string; reason?: string; services: string[]; rrule?: string }> }>('/api/maintenance') });
  const empty = { name: '', services: [] as string[], end: '', reason: '', public: false };
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: () => api('/api/maintenance', { method: 'POST', body: { name: form.name, services: form.services, end: new Date(form.end).toISOString(), public: form.public, ...(form.reason ? { reason: form.reason } : {}) } }),
    onSuccess: () => { setForm(empty); onDone(); },
  });
  const end = useMutation({ mutationFn: (id: string) => api(`/api/maintenance/${encodeURIComponent(id)}`, { method: 'DELETE' }), onSuccess: onDone });
  if (list.isLoading) return <Loading />;
  return (
    <Stack gap="xs">
      <ErrorBox error={list.error ?? create.error ?? end.error} />
      <Table aria-label="Maintenance windows">
        <Table.Thead><Table.Tr><Table.Th>Window</Table.Th><Table.Th>Services</Table.Th><Table.Th>When</Table.Th><Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {(list.data?.adHoc ?? []).map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td>{m.name}{m.public ? ' (public)' : ''}</Table.Td><Table.Td>{m.services.join(', ') || 'condition'}</Table.Td>
              <Table.Td><Time at={m.start} /> – <Time at={m.end} /></Table.Td>
              <Table.Td>{canWrite && <Button size="compact-xs" variant="subtle" color="red.9" onClick={() => end.mutate(m.id)}>End now</Button>}</Table.Td>
            </Table.Tr>
          ))}
          {(list.data?.configured ?? []).map((m) => (
            <Table.Tr key={`cfg-${m.name}`}>
              <Table.Td>{m.name} (config)</Table.Td><Table.Td>{m.services.join(', ') || 'condition'}</Table.Td><Table.Td>{m.rrule ?? 'one-off'}</Table.Td><Table.Td />
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {canWrite && (
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Group gap="xs" align="flex-end">
            <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} required />
            <MultiSelect label="Services" data={services} value={form.services} onChange={(v) => setForm({ ...form, services: v })} w={220} />
            <TextInput label="Ends" type="datetime-local" value={form.end} onChange={(e) => setForm({ ...form, end: e.currentTarget.value })} required />
            <TextInput label="Reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
            <Checkbox label="Public" checked={form.public} onChange={(e) => setForm({ ...form, public: e.currentTarget.checked })} />
            <Button type="submit" loading={create.isPending}>Start window</Button>
          </Group>
        </form>
      )}
    </Stack>
  );
}
