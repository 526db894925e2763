/**
 * Postmortems: the list (GET /api/postmortems: every stored postmortem, newest incident first, with its status;
 * filters by status, service and team, applied by the API; pages of 50 with "Load older"), and one postmortem: a
 * draft's sections, checklists and action items (saved under the version check), draft -> in review, publish and
 * reopen (admin), and the published document. A postmortem is started from its incident's page.
 */
import { Anchor, Badge, Button, Checkbox, Code, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, getToken } from '../api';
import { duration, ErrorBox, Loading, SeverityBadge, StatusBadge, Time, LoadOlder } from '../components';
import { emptyListText, mergePages, NO_POSTMORTEM_FILTERS, postmortemListQuery, type PostmortemFilters } from '../logic/filters';
import { href } from '../router';
import { useCan } from '../session';
import type { ActionItem, Postmortem, PostmortemPage, PostmortemStatus } from '../types';

const STATUS_OPTIONS: Array<{ value: PostmortemStatus; label: string }> = [
  { value: 'draft', label: 'draft' }, { value: 'in_review', label: 'in review' }, { value: 'published', label: 'published' },
];

export function PostmortemsScreen() {
  const [filters, setFilters] = useState<PostmortemFilters>(NO_POSTMORTEM_FILTERS);
  const services = useQuery({ queryKey: ['services'], queryFn: () => api<{ services: Array<{ name: string; team: string }> }>('/api/services') });
  const list = useInfiniteQuery({
    queryKey: ['postmortems', filters],
    queryFn: ({ pageParam }) => api<PostmortemPage>(`/api/postmortems?${postmortemListQuery(filters, 50, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  const items = useMemo(() => mergePages(list.data?.pages.map((p) => p.postmortems), (p) => p.incidentId), [list.data]);
  const awaiting = list.data?.pages[0]?.awaiting ?? [];
  const set = (k: keyof PostmortemFilters) => (v: string | null) => setFilters((f) => ({ ...f, [k]: v ?? '' }));
  const serviceNames = (services.data?.services ?? []).map((s) => s.name);
  const teamNames = [...new Set((services.data?.services ?? []).map((s) => s.team))];
  return (
    <Stack>
      <Title order={1} size="h2">Postmortems</Title>
      <Text size="sm" c="dimmed">Every postmortem, newest incident first. Start one from its incident&apos;s page.</Text>
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="xs" maw={720}>
        <Select label="Status" data={STATUS_OPTIONS} value={filters.status || null} onChange={set('status')} clearable />
        <Select label="Service" data={serviceNames} value={filters.service || null} onChange={set('service')} clearable />
        <Select label="Team" data={teamNames} value={filters.team || null} onChange={set('team')} clearable />
      </SimpleGrid>
      <ErrorBox error={list.error} />
      {awaiting.length > 0 && (
        <Paper withBorder p="sm" aria-labelledby="awaiting-title">
          <Title order={2} size="h5" id="awaiting-title">Resolved, awaiting a postmortem ({awaiting.length})</Title>
          <Text size="xs" c="dimmed" mb={6}>Incidents of a severity that always gets one: opening it drafts it from the incident&apos;s records.</Text>
          <Stack gap={4} data-testid="awaiting">
            {awaiting.map((a) => (
              <Group key={a.incidentId} gap={6} wrap="nowrap" align="flex-start" data-awaiting={a.incidentId}>
                <SeverityBadge severity={a.severity} />
                <div>
                  <Anchor href={href('postmortems', a.incidentId)} size="sm">{a.title}</Anchor>
                  <Text size="xs" c="dimmed">{a.service}{a.team ? ` (${a.team})` : ''} · resolved <Time at={a.resolvedAt} /></Text>
                </div>
              </Group>
            ))}
          </Stack>
        </Paper>
      )}
      {list.isLoading ? <Loading /> : items.length === 0 ? <Text>{emptyListText('postmortems', list.hasNextPage)}</Text> : (
        <Table.ScrollContainer minWidth={360}>
          <Table aria-label="Postmortems">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Incident</Table.Th><Table.Th>Status</Table.Th><Table.Th visibleFrom="sm">Service</Table.Th>
                <Table.Th visibleFrom="sm">Action items</Table.Th><Table.Th visibleFrom="sm">Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.incidentId} data-postmortem={p.incidentId} data-status={p.status}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap" align="flex-start">
                      <SeverityBadge severity={p.severity} />
                      <Anchor href={href('postmortems', p.incidentId)} size="sm">{p.title}</Anchor>
                    </Group>
                    <Text size="xs" c="dimmed">opened <Time at={p.openedAt} /> · version {p.version}</Text>
                  </Table.Td>
                  <Table.Td><StatusBadge status={p.status} /></Table.Td>
                  <Table.Td visibleFrom="sm">{p.service}{p.team ? ` (${p.team})` : ''}</Table.Td>
                  <Table.Td visibleFrom="sm">{p.actionItems.total === 0 ? 'none' : `${p.actionItems.open} open of ${p.actionItems.total}`}</Table.Td>
                  <Table.Td visibleFrom="sm"><Time at={p.updatedAt} /> by {p.updatedBy}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <LoadOlder list={list} what="postmortems" />
    </Stack>
  );
}

type Draft = { sections: Record<string, string>; checklists: Record<string, Record<string, boolean>>; actionItems: ActionItem[] };
const draftOf = (pm: Postmortem): Draft => ({
  sections: Object.fromEntries(pm.sections.map((s) => [s.id, s.text])),
  checklists: Object.fromEntries(pm.checklists.map((c) => [c.name, Object.fromEntries(c.items.map((i) => [i.id, i.done]))])),
  actionItems: pm.actionItems.map((a) => ({ ...a })),
});

export function PostmortemScreen({ incidentId }: { incidentId: string }) {
  const qc = useQueryClient();
  const canEdit = useCan('postmortem.edit');
  const canPublish = useCan('postmortem.publish');
  const path = `/api/incidents/${encodeURIComponent(incidentId)}/postmortem`;
  const q = useQuery({
    queryKey: ['postmortem', incidentId],
    queryFn: async () => {
      try {
        return (await api<{ postmortem: Postmortem }>(path)).postmortem;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  const pm = q.data;
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => setDraft(pm ? draftOf(pm) : null), [pm]);
  const saved = (p: { postmortem: Postmortem }) => {
    qc.setQueryData(['postmortem', incidentId], p.postmortem);
    void qc.invalidateQueries({ queryKey: ['postmortems'] });
  };
  const create = useMutation({ mutationFn: () => api<{ postmortem: Postmortem }>(path, { method: 'POST', body: {} }), onSuccess: saved });
  const patch = useMutation({
    mutationFn: (extra: { status?: 'draft' | 'in_review' }) => api<{ postmortem: Postmortem }>(path, {
      method: 'PATCH',
      body: { version: pm!.version, sections: draft!.sections, checklists: draft!.checklists, actionItems: draft!.actionItems.map(({ id, text, owner, due, done }) => ({ ...(id ? { id } : {}), text, owner, due, done })), ...extra },
    }),
    onSuccess: saved,
  });
  const transition = useMutation({ mutationFn: (what: 'publish' | 'reopen') => api<{ postmortem: Postmortem }>(`${path}/${what}`, { method: 'POST', body: { version: pm!.version } }), onSuccess: saved });
  const md = useQuery({
    queryKey: ['postmortem-md', incidentId, pm?.version],
    enabled: pm?.status === 'published',
    queryFn: async () => (await fetch(`${path}?format=md`, { headers: { authorization: `Bearer ${getToken() ?? ''}` } })).text(),
  });

  if (q.isLoading) return <Loading />;
  const header = <Anchor href={href('incidents', incidentId)} size="sm">← Incident {incidentId}</Anchor>;
  if (q.error) return <Stack>{header}<ErrorBox error={q.error} /></Stack>;
  if (!pm || !draft) {
    return (
      <Stack>
        {header}
        <Title order={1} size="h2">Postmortem</Title>
        <Text>No postmortem yet.</Text>
        <ErrorBox error={create.error} />
        {canEdit && <Group><Button onClick={() => create.mutate()} loading={create.isPending}>Start postmortem</Button></Group>}
      </Stack>
    );
  }
  const editable = canEdit && pm.status !== 'published';
  const f = pm.facts;
  return (
    <Stack>
      {header}
      <Group gap="xs"><Title order={1} size="h2">Postmortem: {f.incident.title}</Title><StatusBadge status={pm.status} /><Badge variant="outline" color="gray.8">version {pm.version}</Badge></Group>
      <Text size="sm">Service {f.incident.service} · {f.incident.severity} · signal to page {duration(f.detection.signalToPageSeconds)} · page to ack {duration(f.detection.pageToAckSeconds)} · signal to resolve {duration(f.detection.signalToResolveSeconds)}</Text>
      <ErrorBox error={patch.error ?? transition.error} />
      {editable && (
        <Group gap="xs">
          <Button onClick={() => patch.mutate({})} loading={patch.isPending}>Save</Button>
          {pm.status === 'draft' && <Button variant="outline" onClick={() => patch.mutate({ status: 'in_review' })}>Save and move to review</Button>}
          {pm.status === 'in_review' && <Button variant="outline" onClick={() => patch.mutate({ status: 'draft' })}>Back to draft</Button>}
          {canPublish && pm.status === 'in_review' && <Button color="#1b6e2d" onClick={() => transition.mutate('publish')} loading={transition.isPending}>Publish</Button>}
        </Group>
      )}
      {canPublish && pm.status === 'published' && <Group><Button variant="outline" onClick={() => transition.mutate('reopen')}>Reopen</Button></Group>}

      {pm.status === 'published' ? (
        <Paper withBorder p="sm">
          <Title order={2} size="h4">Published document</Title>
          {md.isLoading ? <Loading /> : <Code block style={{ whiteSpace: 'pre-wrap' }}>{md.data}</Code>}
        </Paper>
      ) : (
        <>
          {pm.sections.map((s) => (
            <Textarea key={s.id} label={s.title} description={s.prompt} autosize minRows={2} readOnly={!editable}
              value={draft.sections[s.id] ?? ''} onChange={(e) => { const v = e.currentTarget.value; setDraft((d) => d && { ...d, sections: { ...d.sections, [s.id]: v } }); }} />
          ))}
          {pm.checklists.map((c) => (
            <Paper withBorder p="sm" key={c.name}>
              <Title order={2} size="h4">Checklist: {c.name}</Title>
              {c.items.map((i) => (
                <Checkbox key={i.id} my={4} label={i.text} disabled={!editable} checked={draft.checklists[c.name]?.[i.id] ?? false}
                  onChange={(e) => { const v = e.currentTarget.checked; setDraft((d) => d && { ...d, checklists: { ...d.checklists, [c.name]: { ...d.checklists[c.name], [i.id]: v } } }); }} />
              ))}
            </Paper>
          ))}
          <Paper withBorder p="sm">
            <Title order={2} size="h4">Action items</Title>
            {draft.actionItems.map((a, idx) => {
              const upd = (p: Partial<ActionItem>) => setDraft((d) => d && { ...d, actionItems: d.actionItems.map((x, j) => (j === idx ? { ...x, ...p } : x)) });
              return (
                <Group key={a.id || `new-${idx}`} gap="xs" align="flex-end" my={4}>
                  <TextInput label="Action" value={a.text} onChange={(e) => upd({ text: e.currentTarget.value })} readOnly={!editable} style={{ flex: 1, minWidth: 180 }} />
                  <TextInput label="Owner" value={a.owner ?? ''} onChange={(e) => upd({ owner: e.currentTarget.value || null })} readOnly={!editable} w={120} />
                  <TextInput label="Due" type="date" value={a.due ?? ''} onChange={(e) => upd({ due: e.currentTarget.value || null })} readOnly={!editable} w={150} />
                  <Checkbox label="Done" checked={a.done} disabled={!editable} onChange={(e) => upd({ done: e.currentTarget.checked })} mb={8} />
                </Group>
              );
            })}
            {editable && <Button size="xs" variant="subtle" onClick={() => setDraft((d) => d && { ...d, actionItems: [...d.actionItems, { id: '', text: '', owner: null, due: null, done: false }] })}>Add action item</Button>}
          </Paper>
        </>
      )}
      <Paper withBorder p="sm">
        <Title order={2} size="h4">Timeline (as drafted)</Title>
        <ul style={{ paddingLeft: 18 }}>{f.timeline.map((t, i) => <li key={i}><Text size="sm"><Time at={t.at} /> {t.kind} · {t.actor}: {t.text}</Text></li>)}</ul>
        {f.nonEvents.length > 0 && (
          <>
            <Title order={3} size="h5">What did not page</Title>
            <ul style={{ paddingLeft: 18 }}>{f.nonEvents.map((n, i) => <li key={i}><Text size="sm"><Time at={n.at} /> {n.kind}: {n.title} ({n.rule ?? 'no rule'}: {n.reason})</Text></li>)}</ul>
          </>
        )}
      </Paper>
    </Stack>
  );
}
