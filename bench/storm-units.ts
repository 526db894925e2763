import './lib/env';
import '../scripts/polyfill.cjs';
import { benchConfig } from './lib/bench-config';
import { startRuntimeProcess } from './lib/runtime-process';
import { batches, buildStorm, sendStorm, webhookBody } from './lib/storm';

async function main() {
  const storm = buildStorm(20_000, 200);
  const rt = await startRuntimeProcess({ config: benchConfig('page-once'), inMemoryStore: true }, 'WARN');
  try {
    await rt.reset();
    const requests = batches(storm, 100).map((alerts) => ({ alerts, body: webhookBody(alerts) }));
    const t0 = Date.now();
    const sent = await sendStorm(`${rt.url}/ingest/alertmanager/${rt.ingestToken}`, requests, 8);
    await rt.drain(300_000);
    const s = await rt.stats();
    const c = s.capacity;
    console.log(`accepted ${sent.accepted} in ${sent.elapsedMs} ms; drained ${Date.now() - t0} ms; WRU/alert ${(c.writeUnits / storm.length).toFixed(3)} (index ${c.indexWriteUnits}, failed cond ${c.failedConditionWriteUnits}); RRU/alert ${(c.readUnits / storm.length).toFixed(3)}`);
    for (const [k, v] of Object.entries(c.writeUnitsByKind)) console.log(`  ${k}: ${v} units, ${c.writesByKind[k]} items, ${(v / c.writesByKind[k]!).toFixed(2)} units/item`);
    console.log(JSON.stringify(c.calls), JSON.stringify(s.processor));
  } finally {
    await rt.stop();
  }
}
void main();
