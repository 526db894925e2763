/**
 * An alert's raw payload: what the source actually sent, read from the raw archive on demand (only once opened).
 * JSON is pretty-printed; anything else, or a body cut at the server's cap, is shown verbatim. Copy copies the body
 * as received.
 */
import { Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../api';
import { ErrorBox, Loading, Time } from '../components';
import { displayedBody, rawPayloadPath, sizeOf } from '../logic/raw-payload';
import type { RawPayload } from '../types';

export function RawPayloadView({ incidentId, alertId, title }: { incidentId: string; alertId: string; title: string }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const q = useQuery({
    queryKey: ['raw-payload', incidentId, alertId],
    queryFn: () => api<RawPayload>(rawPayloadPath(incidentId, alertId)),
    enabled: open,
    staleTime: Infinity, // an archived body never changes
    retry: false,
  });
  const shown = q.data ? displayedBody(q.data.body, q.data.truncated) : null;

  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Button variant="outline" size="xs" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
          {open ? 'Hide raw payload' : 'Show raw payload'}
        </Button>
      </Group>
      {open && (
        <div id={panelId}>
          {q.isLoading && <Loading label="Loading the raw payload" />}
          <ErrorBox error={q.error} title="Cannot read the raw payload" />
          {q.data && shown && (
            <Stack gap={4}>
              <Group gap="xs" justify="space-between" wrap="wrap">
                <Text size="xs" c="dimmed">
                  {q.data.source}{q.data.via ? ` via ${q.data.via}` : ''}, received <Time at={q.data.receivedAt} />, {sizeOf(q.data.bytes)}
                  {q.data.alertIndex !== null ? `; this alert is #${q.data.alertIndex + 1} of the delivery` : ''}
                  {shown.pretty ? ' (JSON, pretty-printed)' : ''}
                </Text>
                <CopyButton value={q.data.body}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant="light" onClick={copy}>{copied ? 'Copied' : 'Copy raw body'}</Button>
                  )}
                </CopyButton>
              </Group>
              {q.data.truncated && (
                <Text size="xs" c="red.9" role="note">Cut at {sizeOf(new TextEncoder().encode(q.data.body).length)} of {sizeOf(q.data.bytes)}: the whole body is in the archive under {q.data.archiveKey}.</Text>
              )}
              <Code block tabIndex={0} aria-label={`Raw payload of ${title}`} data-testid="raw-payload" style={{ maxHeight: 400, overflow: 'auto', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {shown.text}
              </Code>
            </Stack>
          )}
        </div>
      )}
    </Stack>
  );
}
