/**
 * Insights: MTTA, MTTR and MTTK over time (a chart per bucket), totals, breakdowns by a chosen field,
 * interruptions per person, the noise table, and the CSV export with the current filters.
 */
import { LineChart } from '@mantine/charts';
import { Button, Group, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, download } from '../api';
import { duration, ErrorBox, Loading } from '../components';
import { analyticsQuery, exportQuery, NO_FILTERS, type IncidentFilters } from '../logic/filters';
import type { AnalyticsResult, NoiseRow } from '../types';

const minutes = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round((s / 60) * 10) / 10);
const share = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)} %`);

export function InsightsScreen() {
  const [filters, setFilters] = useState<IncidentFilters>(NO_FILTERS);
  const [groupBy, setGroupBy] = useState('service');
  const [bucket, setBucket] = useState('day');
  const q = useQuery({ queryKey: ['analytics', filters, groupBy, bucket], queryFn: () => api<AnalyticsResult>(`/api/analytics?${analyticsQuery(filters, groupBy, bucket)}`) });
  const csv = useMutation({ mutationFn: () => download(`/api/export?${exportQuery(filters, 'csv')}`, 'incidents.csv') });
  const set = (k: keyof IncidentFilters) => (v: string | null) => setFilters((f) => ({ ...f, [k]: v ?? '' }));
  const r = q.data;
  return (
    <Stack>
      <Title order={1} size="h2">Insights</Title>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="xs">
        <TextInput label="From" type="date" value={filters.from} onChange={(e) => set('from')(e.currentTarget.value)} />
        <TextInput label="To" type="date" value={filters.to} onChange={(e) => set('to')(e.currentTarget.value)} />
        <Select label="Severity" data={['sev1', 'sev2', 'sev3']} value={filters.severity || null} onChange={set('severity')} clearable />
        <TextInput label="Service" value={filters.service} onChange={(e) => set('service')(e.currentTarget.value)} />
        <Select label="Break down by" data={['service', 'team', 'severity', 'source', 'rule', 'fingerprint', 'assignee']} value={groupBy} onChange={(v) => setGroupBy(v ?? 'service')} />
        <Select label="Bucket" data={['day', 'week', 'month']} value={bucket} onChange={(v) => setBucket(v ?? 'day')} />
      </SimpleGrid>
      <Group>
        <Button variant="outline" onClick={() => csv.mutate()} loading={csv.isPending}>Export CSV (current filters)</Button>
      </Group>
      <ErrorBox error={q.error ?? csv.error} />
      {q.isLoading && <Loading />}
      {r && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            {([
              ['Incidents', r.totals.counts.incidents], ['Pages', r.totals.counts.pages], ['Suppressed', r.totals.counts.suppressed],
              ['MTTA', duration(r.totals.mtta.mean)], ['MTTR', duration(r.totals.mttr.mean)], ['MTTK', duration(r.totals.mttk.mean)],
            ] as const).map(([label, value]) => (
              <Paper withBorder p="xs" key={label}><Text size="xs" c="dimmed">{label}</Text><Text fw={700} size="lg">{value}</Text></Paper>
            ))}
          </SimpleGrid>
          <Title order={2} size="h3">MTTA, MTTR and MTTK over time (minutes)</Title>
          <LineChart h={260} data={r.buckets.map((b) => ({ start: b.start.slice(0, 10), MTTA: minutes(b.mtta.mean), MTTR: minutes(b.mttr.mean), MTTK: minutes(b.mttk.mean) }))}
            dataKey="start" connectNulls withLegend
            series={[{ name: 'MTTA', color: 'indigo.8' }, { name: 'MTTR', color: '#1b6e2d' }, { name: 'MTTK', color: 'orange.9' }]} />
          <Title order={2} size="h3">By {groupBy}</Title>
          <Table.ScrollContainer minWidth={420}>
            <Table aria-label={`Breakdown by ${groupBy}`}>
              <Table.Thead><Table.Tr><Table.Th>{groupBy}</Table.Th><Table.Th>Incidents</Table.Th><Table.Th>Pages</Table.Th><Table.Th>MTTA</Table.Th><Table.Th>MTTR</Table.Th><Table.Th>Escalated</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {r.groups.map((g) => (
                  <Table.Tr key={g.key}><Table.Td>{g.key}</Table.Td><Table.Td>{g.counts.incidents}</Table.Td><Table.Td>{g.counts.pages}</Table.Td><Table.Td>{duration(g.mtta.mean)}</Table.Td><Table.Td>{duration(g.mttr.mean)}</Table.Td><Table.Td>{g.escalated}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Title order={2} size="h3">Interruptions</Title>
          <Table.ScrollContainer minWidth={420}>
            <Table aria-label="Interruptions">
              <Table.Thead><Table.Tr><Table.Th>Person</Table.Th><Table.Th>Business hours</Table.Th><Table.Th>Off hours</Table.Th><Table.Th>Sleep hours</Table.Th><Table.Th>Total</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {r.interruptions.map((p) => (
                  <Table.Tr key={p.person}><Table.Td>{p.person}</Table.Td><Table.Td>{p.business}</Table.Td><Table.Td>{p.offHours}</Table.Td><Table.Td>{p.sleep}</Table.Td><Table.Td>{p.total}</Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Title order={2} size="h3">Noise</Title>
          <NoiseTable rows={[...r.noise.rules, ...r.noise.fingerprints]} />
        </>
      )}
    </Stack>
  );
}

function NoiseTable({ rows }: { rows: NoiseRow[] }) {
  if (rows.length === 0) return <Text size="sm" c="dimmed">No noise in this window.</Text>;
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label="Noise">
        <Table.Thead><Table.Tr><Table.Th>Rule or fingerprint</Table.Th><Table.Th>Incidents</Table.Th><Table.Th>Pages</Table.Th><Table.Th>Suppressed</Table.Th><Table.Th>Deduplicated</Table.Th><Table.Th>Acknowledged</Table.Th><Table.Th>Auto-resolved</Table.Th><Table.Th>Flaps</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {rows.map((n) => (
            <Table.Tr key={n.key}><Table.Td style={{ wordBreak: 'break-all' }}>{n.key}</Table.Td><Table.Td>{n.incidents}</Table.Td><Table.Td>{n.pages}</Table.Td><Table.Td>{n.suppressed}</Table.Td><Table.Td>{n.deduplicated}</Table.Td><Table.Td>{share(n.acknowledgedShare)}</Table.Td><Table.Td>{share(n.autoResolvedShare)}</Table.Td><Table.Td>{n.flaps}</Table.Td></Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
