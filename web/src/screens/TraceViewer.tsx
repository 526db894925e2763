/**
 * The decision trace viewer: for one alert, every stage's decision in order, then the ordered routing rules (first
 * match wins: the matching one highlighted, the ones before it marked as not matching, the ones after it not
 * reached) and the tagging rules (each evaluated: matched or not).
 */
import { Badge, Code, Stack, Table, Text, Title } from '@mantine/core';
import { traceView, type RuleRow, type RuleState } from '../logic/trace';
import type { RuleBook, TraceStep } from '../types';
import { WHOLE_BADGE } from '../components';

const STATE: Record<RuleState, { label: string; color: string }> = {
  matched: { label: 'matched', color: '#1b6e2d' },
  'not-matched': { label: 'did not match', color: 'gray.7' },
  'not-reached': { label: 'not reached', color: 'gray.7' },
  error: { label: 'error', color: 'red.9' },
  'not-evaluated': { label: 'not evaluated', color: 'gray.7' },
};

function RuleTable({ rows, label, withService }: { rows: RuleRow[]; label: string; withService?: boolean }) {
  if (rows.length === 0) return <Text size="sm" c="dimmed">No {label.toLowerCase()}.</Text>;
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table aria-label={label} withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>#</Table.Th>
            <Table.Th>Rule</Table.Th>
            <Table.Th>Condition</Table.Th>
            {withService && <Table.Th>Service</Table.Th>}
            <Table.Th>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={`${r.name}-${i}`} data-rule={r.name} data-state={r.state} bg={r.state === 'matched' ? 'var(--mantine-color-green-light)' : undefined}
              fw={r.state === 'matched' ? 700 : undefined}>
              <Table.Td>{r.isDefault ? '—' : i + 1}</Table.Td>
              <Table.Td>
                {r.name}
                {r.explanation && <Text size="xs" c="dimmed">{r.explanation}</Text>}
              </Table.Td>
              <Table.Td><Code>{r.when}</Code></Table.Td>
              {withService && <Table.Td>{r.service}</Table.Td>}
              <Table.Td>
                <Badge color={STATE[r.state].color} variant={r.state === 'matched' ? 'filled' : 'outline'} styles={WHOLE_BADGE}>{STATE[r.state].label}</Badge>
                {r.note && <Text size="xs" c={r.state === 'error' ? 'red.9' : 'dimmed'}>{r.note}</Text>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function TraceViewer({ steps, rules }: { steps: TraceStep[]; rules: RuleBook }) {
  const view = traceView(steps, rules);
  return (
    <Stack gap="sm" data-testid="trace-viewer">
      <Title order={4}>Stages</Title>
      <Table.ScrollContainer minWidth={320}>
        <Table aria-label="Stages" withTableBorder>
          <Table.Thead>
            <Table.Tr><Table.Th>Stage</Table.Th><Table.Th>Decision</Table.Th><Table.Th>Why</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {view.stages.flatMap((g) => g.steps.map((s, i) => (
              <Table.Tr key={`${g.stage}-${i}`} data-stage={s.stage}>
                <Table.Td>{i === 0 ? s.stage : ''}</Table.Td>
                <Table.Td><Badge variant="outline" color="indigo.9" styles={WHOLE_BADGE}>{s.outcome}</Badge></Table.Td>
                <Table.Td><Text size="sm">{s.reason}</Text></Table.Td>
              </Table.Tr>
            )))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Title order={4}>Routing rules (first match wins)</Title>
      <RuleTable rows={view.routing} label="Routing rules" withService />
      <Title order={4}>Tagging rules (each evaluated)</Title>
      <RuleTable rows={view.tagging} label="Tagging rules" />
    </Stack>
  );
}
