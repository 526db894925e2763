/**
 * Prometheus Alertmanager for the side-by-side storm: found on the PATH or installed from Debian's packages
 * (`apt-get install -y prometheus-alertmanager`, as root, non-interactive), run on a free loopback port with a
 * temporary config (one group per fingerprint, group_wait 0s, long group and repeat intervals, clustering off) and
 * a webhook receiver served by the benchmark, then killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './stats';

export type AlertmanagerBinary = { ok: true; path: string; version: string; installed: boolean } | { ok: false; reason: string };

function which(name: string): string | null {
  const res = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const out = res.stdout.trim();
  return res.status === 0 && out ? out : null;
}

function versionOf(path: string): string {
  const res = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const text = `${res.stdout}${res.stderr}`;
  return /version (\S+)/.exec(text)?.[1] ?? 'unknown';
}

/** Finds Alertmanager, installing Debian's package when missing and allowed (root, apt-get present). */
export function ensureAlertmanager(log: (line: string) => void): AlertmanagerBinary {
  const found = which('prometheus-alertmanager') ?? which('alertmanager');
  if (found) return { ok: true, path: found, version: versionOf(found), installed: false };
  if (process.env.BENCH_NO_INSTALL === '1') return { ok: false, reason: 'not installed and BENCH_NO_INSTALL=1' };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { ok: false, reason: 'prometheus-alertmanager is not installed and this user is not root (run: sudo apt-get install -y prometheus-alertmanager)' };
  }
  if (!which('apt-get')) return { ok: false, reason: 'prometheus-alertmanager is not installed and apt-get is not available' };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus-alertmanager'], { encoding: 'utf8', env, timeout: 240_000 });
  log('installing prometheus-alertmanager with apt-get ...');
  let res = install();
  if (res.status !== 0) {
    log('apt-get install failed; running apt-get update and trying again ...');
    spawnSync('apt-get', ['update'], { encoding: 'utf8', env, timeout: 180_000 });
    res = install();
  }
  const path = which('prometheus-alertmanager') ?? which('alertmanager');
  if (res.status !== 0 || !path) {
    const tail = `${res.stderr ?? ''}${res.error ? String(res.error) : ''}`.trim().split('\n').slice(-3).join(' | ');
    return { ok: false, reason: `apt-get install prometheus-alertmanager failed (exit ${res.status}): ${tail}` };
  }
  return { ok: true, path, version: versionOf(path), installed: true };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface WebhookReceiver {
  url: string;
  /** Notifications received (one POST = one notification of one group). */
  notifications: number;
  /** First receive time (epoch ms) per value of `label` in the notified alerts. */
  firstByLabel: Map<string, number>;
  close(): Promise<void>;
}

/** A local HTTP server that records Alertmanager webhook notifications. */
export async function startWebhookReceiver(label: string): Promise<WebhookReceiver> {
  const receiver = { notifications: 0, firstByLabel: new Map<string, number>() };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      receiver.notifications += 1;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: Array<{ labels?: Record<string, string> }> };
        for (const a of body.alerts ?? []) {
          const v = a.labels?.[label];
          if (v !== undefined && !receiver.firstByLabel.has(v)) receiver.firstByLabel.set(v, at);
        }
      } catch {
        // not JSON: counted, nothing to record
      }
      res.writeHead(200).end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  });
}

export interface RunningAlertmanager {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startAlertmanager(binary: string, webhookUrl: string, groupBy: string): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-alertmanager-'));
  const port = await freePort();
  const config = [
    'route:',
    '  receiver: bench',
    `  group_by: ['${groupBy}']`,
    '  group_wait: 0s',
    '  group_interval: 1h',
    '  repeat_interval: 24h',
    'receivers:',
    '  - name: bench',
    '    webhook_configs:',
    `      - url: '${webhookUrl}'`,
    '        send_resolved: false',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const child: ChildProcess = spawn(binary, [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`alertmanager did not become ready: ${stderr}`);
    }
    await sleep(50);
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

