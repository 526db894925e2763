/**
 * The status-render handler, invoked as its triggers invoke it (a scheduled event, an asynchronous invoke from the
 * StatusNotifier): it renders the public files with the shared renderer and hands them to the writer.
 */
import { InMemoryIncidentStore } from '../../lambdas/adapters/in-memory/incident-store';
import { InMemoryOperationsStore } from '../../lambdas/adapters/in-memory/operations-store';
import { InMemoryStatusStore } from '../../lambdas/adapters/in-memory/status-store';
import { parsePipelineConfig } from '../../lambdas/core/config/parse-pipeline-config';
import type { StatusFile } from '../../lambdas/core/status/model';
import { STATUS_FILES } from '../../lambdas/core/status/render';
import { createStatusRenderHandler } from '../../lambdas/handlers/status-render';
import { scheduledEvent } from '../../lambdas/local/trigger-events';
import { testConfig } from '../support/builders';

const config = parsePipelineConfig({
  ...structuredClone(testConfig),
  statusPage: {
    title: 'Example Corp status',
    components: [{ service: 'platform', displayName: 'Platform' }],
    pages: [{ name: 'public', visibility: 'public', components: ['platform'] }],
  },
});

function setup(cfg = config) {
  const written: StatusFile[][] = [];
  const handler = createStatusRenderHandler({
    config: cfg,
    store: new InMemoryIncidentStore(),
    status: new InMemoryStatusStore(),
    ops: new InMemoryOperationsStore(),
    writer: { write: async (files) => void written.push([...files]) },
    clock: { now: () => new Date('2026-06-08T10:00:00Z') },
    pageUrl: 'https://d111111abcdef8.cloudfront.net/status/',
  });
  return { handler, written };
}

describe('status-render handler', () => {
  it.each([
    ['a scheduled event', scheduledEvent('StatusRenderSchedule', new Date('2026-06-08T10:00:00Z'))],
    ['an asynchronous invoke from the StatusNotifier', { source: 'alert-pipeline', reason: 'processor' }],
  ])('renders the public files on %s', async (_name, event) => {
    const { handler, written } = setup();
    const result = await handler(event, {} as never);
    expect(result).toEqual({ rendered: true, files: Object.values(STATUS_FILES) });
    expect(written).toHaveLength(1);
    expect(written[0]!.map((f) => f.path).sort()).toEqual(Object.values(STATUS_FILES).sort());
    const json = JSON.parse(written[0]!.find((f) => f.path === STATUS_FILES.json)!.body);
    expect(json.components.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([['Platform', 'operational']]);
  });

  it('writes nothing without a statusPage section', async () => {
    const { handler, written } = setup(testConfig);
    expect(await handler({}, {} as never)).toEqual({ rendered: false, files: [] });
    expect(written).toEqual([]);
  });
});
