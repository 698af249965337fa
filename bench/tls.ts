/**
 * `npm run bench -- tls`: what TLS costs on the agent link, in one process on
 * loopback (the real Controller and Agent code, the fake systemd, no
 * containers), plaintext next to TLS 1.3 with client certificates (a PKI made
 * by scripts/make-test-certs.sh):
 *
 *   connect   an agent's start until it is registered (TCP connect, TLS
 *             handshake, WebSocket upgrade, Register), one agent at a time,
 *             TLS_CONNECTS times (default 100)
 *   start     StartUnit until its JobRemoved through the local API, with one
 *             agent connected, TLS_STARTS times (default 300)
 *
 * Prints medians and ranges; nothing is asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIni } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { Controller, buildControllerConfig } from '@bluechi-ts/controller';
import { Agent, buildAgentConfig } from '@bluechi-ts/agent';
import { connectApi } from '@bluechi-ts/ctl';
import { FakeSystemdManager } from '../packages/agent/src/systemd/fake-manager.js';
import { makePki } from '../test/harness/tls.js';
import { runMain, startRoundTrip, stats } from './lib.js';

const CONNECTS = Number(process.env.TLS_CONNECTS ?? 100);
const STARTS = Number(process.env.TLS_STARTS ?? 300);
const WARMUP = 10;
const log = createLogger({ name: 'bench-tls', level: 'ERROR', target: 'stderr', quiet: true });

type Mode = { name: string; controller: (pki: string) => string; agent: (pki: string, node: string) => string };
const MODES: Mode[] = [
  { name: 'plaintext', controller: () => '', agent: () => '' },
  {
    name: 'TLS 1.3, client certificates',
    controller: (p) => `TLSCertificateFile=${p}/main.pem\nTLSPrivateKeyFile=${p}/main.key\nTLSCAFile=${p}/ca.pem\n`,
    agent: (p, n) => `TLSCAFile=${p}/ca.pem\nTLSCertificateFile=${p}/${n}.pem\nTLSPrivateKeyFile=${p}/${n}.key\nTLSServerName=main\n`,
  },
];

async function until(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((r) => setImmediate(r));
}

function agentFor(mode: Mode, pki: string, port: number, node: string): Agent {
  const text = `[bluechi-agent]\nNodeName=${node}\nControllerAddress=tcp:host=127.0.0.1,port=${port}\n${mode.agent(pki, node)}`;
  const config = buildAgentConfig(parseIni(text, 'agent.conf'), ['agent.conf']);
  return new Agent({ config, systemd: new FakeSystemdManager({ 'bench.service': { runningSubState: 'exited' } }), log });
}

async function measure(mode: Mode, pki: string): Promise<{ connect: number[]; start: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bc-bench-tls-'));
  const text = `[bluechi-controller]\nControllerPort=0\nControllerListenAddress=127.0.0.1\nUseUDS=false\nApiSocketPath=${dir}/api.sock\nAllowedNodeNames=node1,node2\nLogLevel=ERROR\n${mode.controller(pki)}`;
  const controller = new Controller({ config: buildControllerConfig(parseIni(text, 'c.conf'), ['c.conf']), log, connectBus: async () => {
      throw new Error('no system bus in this benchmark');
    } });
  await controller.start();
  const port = controller.agentPort!;
  const connect: number[] = [];
  try {
    for (let i = 0; i < CONNECTS + WARMUP; i++) {
      const agent = agentFor(mode, pki, port, 'node2');
      const t0 = performance.now();
      void agent.start();
      await until(() => agent.link.status === 'connected');
      if (i >= WARMUP) connect.push(performance.now() - t0);
      await agent.stop();
      await until(() => controller.registry.find('node2')?.status === 'offline');
    }
    const agent = agentFor(mode, pki, port, 'node1');
    void agent.start();
    await until(() => agent.link.status === 'connected');
    const api = await connectApi({ socketPath: `${dir}/api.sock` });
    const start: number[] = [];
    for (let i = 0; i < STARTS + WARMUP; i++) {
      const ms = await startRoundTrip(api, 'node1', 'bench.service');
      if (i >= WARMUP) start.push(ms);
    }
    api.close();
    await agent.stop();
    return { connect, start };
  } finally {
    await controller.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pki = makePki('main', ['node1', 'node2'], 'bc-bench-pki-');
  try {
    const f = (v: number) => v.toFixed(2);
    console.log('| link | agent connect + register, ms | start round trip (API), ms |');
    console.log('|---|--:|--:|');
    for (const mode of MODES) {
      const r = await measure(mode, pki);
      const c = stats(r.connect);
      const s = stats(r.start);
      console.log(`| ${mode.name} | ${f(c.median)} (${f(c.min)}-${f(c.max)}, n=${c.n}) | ${f(s.median)} (${f(s.min)}-${f(s.max)}, n=${s.n}) |`);
    }
  } finally {
    rmSync(pki, { recursive: true, force: true });
  }
}

runMain('tls', main);
