/**
 * Postmortems: a draft's sections, checklists and action items (saved under the version check), draft -> in review,
 * publish and reopen (admin), and the published document. The list shows recent incidents: the API has no list of
 * postmortems, and reading one drafts it for an auto-drafted severity, so a postmortem is read only when opened.
 */
import { Anchor, Badge, Button, Checkbox, Code, Group, Paper, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, ApiError, getToken } from '../api';
import { duration, ErrorBox, Loading, StatusBadge, Time } from '../components';
import { href } from '../router';
import { useCan } from '../session';
import type { ActionItem, Postmortem, PublicIncident } from '../types';

export function PostmortemsScreen() {
  const list = useQuery({ queryKey: ['incidents', 'postmortems'], queryFn: () => api<{ incidents: PublicIncident[] }>('/api/incidents?limit=100') });
  if (list.isLoading) return <Loading />;
  return (
    <Stack>
      <Title order={1} size="h2">Postmortems</Title>
      <Text size="sm" c="dimmed">Open an incident's postmortem to read it, draft it or edit it.</Text>
      <ErrorBox error={list.error} />
      <Table.ScrollContainer minWidth={360}>
        <Table aria-label="Incidents and their postmortems">
          <Table.Thead><Table.Tr><Table.Th>Incident</Table.Th><Table.Th>Status</Table.Th><Table.Th>Opened</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {(list.data?.incidents ?? []).filter((i) => i.status !== 'suppressed').map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td><Anchor href={href('postmortems', i.id)} size="sm">{i.title}</Anchor></Table.Td>
                <Table.Td><StatusBadge status={i.status} /></Table.Td>
                <Table.Td><Time at={i.openedAt} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
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
  const saved = (p: { postmortem: Postmortem }) => qc.setQueryData(['postmortem', incidentId], p.postmortem);
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
