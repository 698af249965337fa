/**
 * The fuzz targets, shared by the test suite (a short run) and
 * `npm run bench -- fuzz` (a long one): each runs N cases from a seed and
 * returns its tally and what broke the rules.
 */
import { AgentMethods, AgentSignals, ApiMethods, ApiSignals, ControllerMethods, ControllerSignals, ConfigError, parseIni, parseProxyInstance } from '@bluechi-ts/protocol';
import { buildControllerConfig } from '@bluechi-ts/controller';
import { buildAgentConfig } from '@bluechi-ts/agent';
import { startAgent, startController, waitConnected, waitFor, type TestAgent, type TestController, type ApiClient } from '../../inprocess/fixture.js';
import { catalogue, FrameGen } from './frames.js';
import { LineConn, RawController, runLink, WsConn, type FuzzConn, type Violation } from './links.js';
import { Prng, Tally } from './prng.js';
import { fuzzIni, fuzzProxyName } from './text.js';

export type FuzzResult = { tally: Tally; violations: Violation[]; summary: string };

function ids(start = 1_000_000): () => number {
  let n = start;
  return () => n++;
}

const MAX_FRAME = 256 * 1024;

/** A controller with two real agents and one running job: what fuzzing must not disturb. */
async function guardedController(): Promise<{ ctl: TestController; agents: TestAgent[]; api: ApiClient; jobId: number; stop(): Promise<void>; check(): Promise<void> }> {
  const ctl = await startController(`MaxFrameBytes=${MAX_FRAME}`);
  const agents = ['main', 'worker1'].map((n) => startAgent(n, `tcp:host=127.0.0.1,port=${ctl.port}`, { units: { 'hang.service': { hang: true }, 'bench.service': {} } }));
  const api = await ctl.api();
  await waitConnected(api, agents);
  const { jobId } = await api.call('StartUnit', { node: 'main', unit: 'hang.service' });
  const before = agents.map((a) => ({ calls: a.systemd.calls.length, manager: a.systemd.managerCalls.length }));
  return {
    ctl,
    agents,
    api,
    jobId,
    async check() {
      const { nodes } = await api.call('ListNodes', {});
      for (const n of ['main', 'worker1']) {
        const status = nodes.find((x) => x.name === n)?.status;
        if (status !== 'online') throw new Error(`node ${n} is ${status} after fuzzing`);
      }
      const { jobs } = await api.call('ListJobs', {});
      if (jobs.length !== 1 || jobs[0]!.id !== jobId || jobs[0]!.node !== 'main') throw new Error(`jobs changed by fuzzing: ${JSON.stringify(jobs)}`);
      agents.forEach((a, i) => {
        if (a.systemd.calls.length !== before[i]!.calls || a.systemd.managerCalls.length !== before[i]!.manager) {
          throw new Error(`${a.name}'s systemd was called by fuzzing: ${JSON.stringify([a.systemd.calls.slice(before[i]!.calls), a.systemd.managerCalls.slice(before[i]!.manager)]).slice(0, 400)}`);
        }
      });
    },
    async stop() {
      for (const a of agents) a.systemd.releaseHungJobs();
      for (const a of agents) await a.stop();
      await ctl.stop();
    },
  };
}

/** Raw connections to the controller's agent port, half before and half after a valid Register as worker2 (no real agent). */
export async function fuzzControllerAgentLink(seed: number, cases: number): Promise<FuzzResult> {
  const g = await guardedController();
  const rng = new Prng(seed);
  const tally = new Tally();
  const nextId = ids();
  const cat = catalogue({ methods: ControllerMethods, signals: AgentSignals }, { methods: AgentMethods, signals: ControllerSignals }, { name: 'worker2', node: 'main', unit: 'hang.service' });
  const gen = new FrameGen(rng, cat, { dictionary: ['main', 'worker1', 'worker2', 'nosuchnode', 'hang.service'], hugeMax: 60_000, nextId });
  const violations: Violation[] = [];
  try {
    const common = { incoming: cat.incoming, maxFrameBytes: MAX_FRAME, sentinel: (id: number) => JSON.stringify({ type: 'request', id, method: 'ProxyNew', params: { proxyId: 1, node: 'main', unit: 'hang.service' } }) };
    violations.push(
      ...(await runLink(
        { ...common, name: 'before Register', open: () => WsConn.open(g.ctl.port), accepted: async (m) => (m === 'Register' ? 'reopen' : 'keep') },
        { cases: Math.ceil(cases / 2), rng, gen, tally, nextId, check: g.check, checkEvery: 500, floodRate: 0.002, oversizeRate: 0.001 },
      )),
    );
    const registered = async (): Promise<FuzzConn> => {
      for (let attempt = 0; ; attempt++) {
        const conn = await WsConn.open(g.ctl.port);
        const id = nextId();
        conn.send({ text: JSON.stringify({ type: 'request', id, method: 'Register', params: { name: 'worker2' } }), mutation: 'register' });
        while (!conn.closed && !conn.frames.some((f) => f.id === id)) await conn.changed();
        if (conn.frames.some((f) => f.id === id && f.type === 'response')) return conn;
        conn.close();
        // The previous fuzz connection of worker2 may not be gone yet.
        if (attempt > 100) throw new Error('cannot register worker2 for fuzzing');
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const total = tally.cases;
    violations.push(
      ...(await runLink(
        { ...common, name: 'after Register', open: registered },
        { cases: total + Math.floor(cases / 2), rng, gen, tally, nextId, check: g.check, checkEvery: 500, floodRate: 0.002, oversizeRate: 0.001 },
      )),
    );
    return { tally, violations, summary: tally.summary('controller agent link', seed) };
  } finally {
    await g.stop();
  }
}

/**
 * API methods that, sent valid, change what other clients see (metrics, the
 * log level, any client's job): the run sends them only malformed.
 */
const CONTROLLER_WIDE = new Set(['EnableMetrics', 'DisableMetrics', 'SetLogLevel', 'CancelJob']);

/** The local API socket (NDJSON), with the API catalogue; valid requests name no real node. */
export async function fuzzApiLink(seed: number, cases: number): Promise<FuzzResult> {
  const g = await guardedController();
  const rng = new Prng(seed);
  const tally = new Tally();
  const nextId = ids();
  const cat = catalogue({ methods: ApiMethods, signals: {} }, { methods: {}, signals: ApiSignals }, { node: 'nosuchnode', unit: 'fuzz.service', level: 'INFO' });
  const gen = new FrameGen(rng, cat, { dictionary: ['nosuchnode', 'fuzz.service', 'hang.service', '*'], hugeMax: 60_000, nextId });
  try {
    const violations = await runLink(
      {
        name: 'api',
        incoming: cat.incoming,
        maxFrameBytes: 1024 * 1024,
        open: () => LineConn.open(g.ctl.apiPath),
        sentinel: (id) => JSON.stringify({ type: 'request', id, method: 'Version', params: {} }),
        mayHandle: (m) => !CONTROLLER_WIDE.has(m),
        // The controller ends the socket after too many bad frames; an oversized line drops it.
        closeCodes: { flood: [0], oversize: [0, 1006], other: [0, 1006] },
      },
      { cases, rng, gen, tally, nextId, check: g.check, checkEvery: 500, floodRate: 0.002, oversizeRate: 0.001 },
    );
    return { tally, violations, summary: tally.summary('API link', seed) };
  } finally {
    await g.stop();
  }
}

/** Lifecycle and other requests that change systemd on the agent's node. */
const MUTATING = new Set(['FreezeUnit', 'ThawUnit', 'StartUnit', 'StopUnit', 'RestartUnit', 'ReloadUnit', 'JobCancel', 'SetUnitProperties', 'StartTransientUnit', 'KillUnit', 'ResetFailed', 'ResetFailedUnit', 'EnableUnitFiles', 'DisableUnitFiles', 'Reload', 'SetDefaultTarget', 'StartDep', 'StopDep']);

/** A real agent, connected to a raw controller that sends it fuzzed frames. */
export async function fuzzAgentLink(seed: number, cases: number): Promise<FuzzResult> {
  const raw = await RawController.start();
  const agent = startAgent('fuzzed', raw.address, { units: { 'keep.service': {} }, extra: `HeartbeatInterval=100\nMaxFrameBytes=${MAX_FRAME}` });
  const rng = new Prng(seed);
  const tally = new Tally();
  const nextId = ids();
  const cat = catalogue({ methods: AgentMethods, signals: ControllerSignals }, { methods: ControllerMethods, signals: AgentSignals }, { unit: 'absent.service', file: 'absent.service', target: 'absent.target', level: 'INFO' });
  const gen = new FrameGen(rng, cat, { dictionary: ['keep.service', 'absent.service', '*', 'main'], hugeMax: 60_000, nextId });
  // Valid requests that may reach systemd: a malformed one must never.
  let mayMutate = 0;
  let touched = 0;
  try {
    const violations = await runLink(
      {
        name: 'agent',
        incoming: cat.incoming,
        maxFrameBytes: MAX_FRAME,
        open: () => raw.next(),
        sentinel: (id) => JSON.stringify({ type: 'request', id, method: 'ListUnitRows', params: { fields: ['name'], filter: 'fuzz-sentinel-*' } }),
        afterCase: (exp) => {
          const now = agent.systemd.calls.length + agent.systemd.managerCalls.length;
          const delta = now - touched;
          touched = now;
          if (exp.kind === 'handled' && MUTATING.has(exp.method)) {
            mayMutate++;
            return undefined;
          }
          if (delta === 0) return undefined;
          return `systemd was called ${delta} times for it: ${JSON.stringify([agent.systemd.calls.at(-1), agent.systemd.managerCalls.at(-1)]).slice(0, 300)}`;
        },
      },
      {
        cases,
        rng,
        gen,
        tally,
        nextId,
        checkEvery: 500,
        // Each flood or oversized frame makes the agent reconnect after its backoff: only a few.
        floodRate: 0.0002,
        oversizeRate: 0.0001,
        check: async () => {
          // Just after a reconnect the agent may not have read its Register reply yet.
          await waitFor('the fuzzed agent connected', () => agent.agent.link.status === 'connected');
        },
      },
    );
    return { tally, violations, summary: `${tally.summary('agent link', seed)} agent-registrations=${raw.registrations} valid-mutating-requests=${mayMutate}` };
  } finally {
    await agent.stop();
    await raw.stop();
  }
}

/** Fuzzed INI text through parseIni and both config builders: a config or a ConfigError, nothing else. */
export function fuzzConfig(seed: number, cases: number): FuzzResult {
  const rng = new Prng(seed);
  const tally = new Tally();
  const violations: Violation[] = [];
  for (let i = 0; i < cases; i++) {
    const { text, mutation } = fuzzIni(rng);
    tally.cases++;
    for (const [which, build] of [
      ['controller', (t: string) => buildControllerConfig(parseIni(t, 'fuzz.conf'), ['fuzz.conf'])],
      ['agent', (t: string) => buildAgentConfig(parseIni(t, 'fuzz.conf'), ['fuzz.conf'], {}, 'fuzzhost')],
    ] as const) {
      try {
        build(text);
        tally.add(`${which}:valid`);
      } catch (err) {
        if (err instanceof ConfigError && err.message.length > 0) tally.add(`${which}:ConfigError`);
        else {
          tally.add(`${which}:other-exception`);
          violations.push({ mutation, frame: text.length > 300 ? `${text.slice(0, 300)}…` : text, problem: `${which}: ${(err as Error)?.name}: ${(err as Error)?.message}` });
        }
      }
    }
  }
  return { tally, violations, summary: tally.summary('config parser', seed) };
}

/** Fuzzed proxy instance names: a parse or a refusal with a reason. */
export function fuzzProxyNames(seed: number, cases: number): FuzzResult {
  const rng = new Prng(seed);
  const tally = new Tally();
  const violations: Violation[] = [];
  for (let i = 0; i < cases; i++) {
    const { name, mutation } = fuzzProxyName(rng);
    tally.cases++;
    try {
      const p = parseProxyInstance(name);
      if (p.ok) {
        tally.add('parsed');
        if (`${p.target.node}_${p.target.unit}` !== name) violations.push({ mutation, frame: name, problem: `parsed as ${JSON.stringify(p.target)}, which does not make up the name` });
      } else if (typeof p.reason === 'string' && p.reason.length > 0) tally.add('refused');
      else violations.push({ mutation, frame: name, problem: 'refused without a reason' });
    } catch (err) {
      tally.add('exception');
      violations.push({ mutation, frame: name, problem: `${(err as Error)?.name}: ${(err as Error)?.message}` });
    }
  }
  return { tally, violations, summary: tally.summary('proxy names', seed) };
}
