/** Small shared pieces: error and loading states, status and severity badges, times. */
import { Alert, Badge, Button, Center, Group, Loader } from '@mantine/core';
import type { ReactNode } from 'react';

export function ErrorBox({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      {error instanceof Error ? error.message : String(error)}
    </Alert>
  );
}

/** A spinner that names itself: `role="status"`, since an `aria-label` on an element without a role is not allowed (axe: aria-prohibited-attr). */
export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <Center p="lg" aria-live="polite">
      <Loader size="sm" role="status" aria-label={label} />
    </Center>
  );
}

// Dark enough for white text (filled) and for text on white (outline) at WCAG AA (4.5:1).
const DARK_ORANGE = '#a33a00';
const DARK_YELLOW = '#6e5200';
const STATUS_COLOR: Record<string, string> = {
  triggered: 'red.9', acknowledged: DARK_ORANGE, resolved: '#1b6e2d', suppressed: 'gray.7',
  operational: '#1b6e2d', degraded_performance: DARK_YELLOW, partial_outage: DARK_ORANGE, major_outage: 'red.9', under_maintenance: 'blue.9',
  draft: 'gray.7', in_review: DARK_ORANGE, published: '#1b6e2d',
};
const SEV_COLOR: Record<string, string> = { sev1: 'red.9', sev2: DARK_ORANGE, sev3: DARK_YELLOW };

/** Badges never shrink to an ellipsis ("SE…", "ACKNOWLEDG…" on a phone): a narrow column grows or wraps instead. */
export const WHOLE_BADGE = { root: { flexShrink: 0, maxWidth: 'none', overflow: 'visible' }, label: { overflow: 'visible', textOverflow: 'clip' } } as const;
export const StatusBadge = ({ status }: { status: string }) => (
  <Badge color={STATUS_COLOR[status] ?? 'gray.7'} variant="filled" styles={WHOLE_BADGE}>{status.replace(/_/g, ' ')}</Badge>
);
export const SeverityBadge = ({ severity }: { severity: string }) => (
  <Badge color={SEV_COLOR[severity] ?? 'gray.7'} variant="outline" styles={WHOLE_BADGE}>{severity}</Badge>
);

/** A time in the reader's locale and zone; `seconds` where events minutes apart matter (timelines, alerts). */
export function Time({ at, seconds = false }: { at: string | null | undefined; seconds?: boolean }): ReactNode {
  if (!at) return '—';
  const d = new Date(at);
  return <time dateTime={at} title={at}>{d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: seconds ? 'medium' : 'short' })}</time>;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** "Load older …" under a list read page by page (TanStack Query's infinite query); nothing on the last page. */
export function LoadOlder({ list, what }: { list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown }; what: string }): ReactNode {
  if (!list.hasNextPage) return null;
  return (
    <Group>
      <Button variant="default" size="xs" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>Load older {what}</Button>
    </Group>
  );
}
