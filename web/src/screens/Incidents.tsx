/**
 * Incidents: filters (status, severity, service, team, source, tag, opened from/to; all applied by the API), pages
 * of 100 with "Load older", live refresh every 5 s of the pages loaded, keyboard navigation (j/k move, Enter opens,
 * a acknowledges, x selects) and bulk acknowledge/resolve.
 */
import { Anchor, Button, Checkbox, Group, Kbd, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, SeverityBadge, StatusBadge, Time, LoadOlder } from '../components';
import { emptyListText, listQuery, mergePages, NO_FILTERS, SOURCE_NAMES, type IncidentFilters } from '../logic/filters';
import { isTypingTarget, listKey } from '../logic/keyboard';
import { href, navigate } from '../router';
import { useCan } from '../session';
import type { IncidentPage } from '../types';
import { bulkSummary, planBulk, type BulkAction } from '../logic/bulk';

interface ServiceInfo { name: string; team: string }

export function IncidentsScreen() {
  const [filters, setFilters] = useState<IncidentFilters>(NO_FILTERS);
  const [cursor, setCursor] = useState(-1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const canAct = useCan('incident.act');
  const qc = useQueryClient();
  const services = useQuery({ queryKey: ['services'], queryFn: () => api<{ services: ServiceInfo[] }>('/api/services') });
  const list = useInfiniteQuery({
    queryKey: ['incidents', filters],
    queryFn: ({ pageParam }) => api<IncidentPage>(`/api/incidents?${listQuery(filters, 100, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 5000,
  });
  const items = useMemo(() => mergePages(list.data?.pages.map((p) => p.incidents), (i) => i.id), [list.data]);
  const [bulkDone, setBulkDone] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: async ({ ids, action }: { ids: string[]; action: BulkAction }) => {
      setBulkDone(null);
      const plan = planBulk(action, ids, (id) => items.find((i) => i.id === id)?.status);
      const results = await Promise.allSettled(plan.send.map((id) => api(`/api/incidents/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: {} })));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${plan.send[i]}: ${(r.reason as Error).message}`] : []));
      if (ids.length > 1) setBulkDone(bulkSummary(action, plan, failed.length));
      if (failed.length) throw new Error(`${failed.length} of ${plan.send.length} failed: ${failed.join('; ')}`);
    },
    onSettled: () => {
      setSelected(new Set());
      void qc.invalidateQueries({ queryKey: ['incidents'] });
    },
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.metaKey || e.ctrlKey || e.altKey || isTypingTarget(t?.tagName, !!t?.isContentEditable)) return;
      const a = listKey(e.key, cursor, items.length);
      if (!a) return;
      e.preventDefault();
      const inc = items[a.index];
      if (a.kind === 'move') setCursor(a.index);
      else if (a.kind === 'open' && inc) navigate('incidents', inc.id);
      else if (a.kind === 'acknowledge' && inc && canAct && inc.status === 'triggered') act.mutate({ ids: [inc.id], action: 'acknowledge' });
      else if (a.kind === 'toggle' && inc && canAct) toggle(inc.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  useEffect(() => {
    if (cursor >= 0) document.getElementById(`incident-row-${cursor}`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const toggle = (id: string) => setSelected((s) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const set = (k: keyof IncidentFilters) => (v: string | null) => setFilters((f) => ({ ...f, [k]: v ?? '' }));
  const serviceNames = (services.data?.services ?? []).map((s) => s.name);
  const teamNames = [...new Set((services.data?.services ?? []).map((s) => s.team))];

  return (
    <Stack>
      <Title order={1} size="h2">Incidents</Title>
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }} spacing="xs">
        <Select label="Status" data={['triggered', 'acknowledged', 'resolved', 'suppressed']} value={filters.status || null} onChange={set('status')} clearable />
        <Select label="Severity" data={['sev1', 'sev2', 'sev3']} value={filters.severity || null} onChange={set('severity')} clearable />
        <Select label="Service" data={serviceNames} value={filters.service || null} onChange={set('service')} clearable />
        <Select label="Team" data={teamNames} value={filters.team || null} onChange={set('team')} clearable />
        <Select label="Source" data={[...SOURCE_NAMES]} value={filters.source || null} onChange={set('source')} clearable />
        <TextInput label="Tag" placeholder="key or key:value" value={filters.tag} onChange={(e) => set('tag')(e.currentTarget.value)} />
        <TextInput label="Opened from" type="date" value={filters.from} onChange={(e) => set('from')(e.currentTarget.value)} />
        <TextInput label="Opened before" type="date" value={filters.to} onChange={(e) => set('to')(e.currentTarget.value)} />
      </SimpleGrid>
      {canAct && (
        <Group gap="xs">
          <Button size="xs" disabled={selected.size === 0} loading={act.isPending} onClick={() => act.mutate({ ids: [...selected], action: 'acknowledge' })}>
            Acknowledge selected ({selected.size})
          </Button>
          <Button size="xs" color="#1b6e2d" disabled={selected.size === 0} loading={act.isPending} onClick={() => act.mutate({ ids: [...selected], action: 'resolve' })}>
            Resolve selected ({selected.size})
          </Button>
        </Group>
      )}
      {bulkDone && <Text size="sm" role="status">{bulkDone}</Text>}
      <ErrorBox error={list.error ?? act.error} />
      <Text size="xs" c="dimmed">
        Keys: <Kbd>j</Kbd>/<Kbd>k</Kbd> move, <Kbd>Enter</Kbd> open{canAct ? <>, <Kbd>a</Kbd> acknowledge, <Kbd>x</Kbd> select</> : null}. Refreshes every 5 s.
      </Text>
      {list.isLoading ? <Loading /> : items.length === 0 ? <Text>{emptyListText('incidents', list.hasNextPage)}</Text> : (
        <Table.ScrollContainer minWidth={360}>
          <Table highlightOnHover aria-label="Incidents">
            <Table.Thead>
              <Table.Tr>
                {canAct && <Table.Th><VisuallyHidden>Select</VisuallyHidden></Table.Th>}
                <Table.Th>Incident</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th visibleFrom="sm">Service</Table.Th>
                <Table.Th visibleFrom="sm">Opened</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((inc, i) => (
                <Table.Tr key={inc.id} id={`incident-row-${i}`} data-incident={inc.id} aria-selected={i === cursor} bg={i === cursor ? 'var(--mantine-color-indigo-light)' : undefined}>
                  {canAct && (
                    <Table.Td>
                      <Checkbox aria-label={`Select ${inc.title}`} checked={selected.has(inc.id)} onChange={() => toggle(inc.id)} />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Group gap={6} wrap="nowrap" align="flex-start">
                      <SeverityBadge severity={inc.severity} />
                      <Anchor href={href('incidents', inc.id)} size="sm">{inc.title}</Anchor>
                    </Group>
                    <Text size="xs" c="dimmed">{inc.source} · {inc.alertCount} alert{inc.alertCount === 1 ? '' : 's'}</Text>
                  </Table.Td>
                  <Table.Td><StatusBadge status={inc.status} /></Table.Td>
                  <Table.Td visibleFrom="sm">{inc.route.service}{inc.route.team ? ` (${inc.route.team})` : ''}</Table.Td>
                  <Table.Td visibleFrom="sm"><Time at={inc.openedAt} /></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <LoadOlder list={list} what="incidents" />
    </Stack>
  );
}
