/**
 * D-Bus clients as API sessions. A client (its unique name, `:1.42`) becomes a
 * session on its first call and ends when it leaves the bus: its monitors
 * close, its requests in flight are aborted, and it stops being anybody's
 * monitor peer. Calls reach the controller operations through `invoke`, which
 * checks the parameters against the API catalogue first, as the socket edge does.
 *
 * Monitor events are unicast (reference §2.4): sent to the owner and each peer
 * with a destination, from the monitor's object path. Job, node and metrics
 * signals are broadcast by DbusApi from the registries, so a session drops them.
 */
import {
  ApiMethods,
  MonitorInterface,
  monitorObjectPath,
  type ApiSignals,
  type Json,
  type ParamsOf,
  type ResultOf,
  type SignalParamsOf,
} from '@bluechi-ts/protocol';
import type { ApiOperations, ApiSession } from '../operations/index.js';
import type { MonitorRegistry } from '../monitors.js';
import type { ObjectTree } from './object-tree.js';
import { typedDict } from './unit-rows.js';

type Methods = typeof ApiMethods;
type SignalName = keyof typeof ApiSignals & string;

let nextSessionId = 1;

/** A monitor signal's member and arguments, or undefined for a signal D-Bus clients get another way. */
function monitorSignal<S extends SignalName>(name: S, params: SignalParamsOf<typeof ApiSignals, S>): { monitorId: number; args: Json[] } | undefined {
  const p = params as Record<string, unknown> & { monitorId: number };
  switch (name) {
    case 'UnitNew':
    case 'UnitRemoved':
      return { monitorId: p.monitorId, args: [p.node as string, p.unit as string, p.reason as string] };
    case 'UnitStateChanged':
      return { monitorId: p.monitorId, args: [p.node as string, p.unit as string, p.activeState as string, p.subState as string, p.reason as string] };
    case 'UnitPropertiesChanged': {
      const props = typedDict(p.properties as Record<string, Json>, p.signatures as Record<string, string>);
      return { monitorId: p.monitorId, args: [p.node as string, p.unit as string, p.interface as string, props] };
    }
    case 'PeerRemoved':
      return { monitorId: p.monitorId, args: [p.reason as string] };
    default:
      return undefined;
  }
}

class DbusSession implements ApiSession {
  readonly id = nextSessionId++;
  private readonly cleanups: Array<() => void> = [];
  private readonly aborter = new AbortController();
  private ended = false;

  constructor(
    readonly name: string,
    private readonly tree: ObjectTree,
  ) {}

  get abortSignal(): AbortSignal {
    return this.aborter.signal;
  }

  signal<S extends SignalName>(name: S, params: SignalParamsOf<typeof ApiSignals, S>): void {
    this.signalPeer(this.name, name, params);
  }

  signalPeer<S extends SignalName>(peer: string, name: S, params: SignalParamsOf<typeof ApiSignals, S>): void {
    const out = monitorSignal(name, params);
    // A client that left gets nothing more; its peers still hear that its monitors closed.
    if (!out || (this.ended && peer === this.name)) return;
    this.tree.emit(monitorObjectPath(out.monitorId), MonitorInterface, name, out.args, peer);
  }

  onClose(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.aborter.abort();
    for (const c of this.cleanups.splice(0)) c();
  }
}

export class DbusSessions {
  private readonly sessions = new Map<string, DbusSession>();

  constructor(
    private readonly tree: ObjectTree,
    private readonly operations: ApiOperations,
    private readonly monitors: MonitorRegistry,
  ) {}

  /** The session of the client `name`, made on its first call. */
  of(name: string): ApiSession {
    let s = this.sessions.get(name);
    if (!s) this.sessions.set(name, (s = new DbusSession(name, this.tree)));
    return s;
  }

  /** The client left the bus. */
  gone(name: string): void {
    this.monitors.forgetPeer(name);
    const s = this.sessions.get(name);
    if (!s) return;
    this.sessions.delete(name);
    s.end();
  }

  /** Ends every session (the adapter is stopping). */
  endAll(): void {
    for (const name of [...this.sessions.keys()]) this.gone(name);
  }

  /** Runs an operation for the client `caller`, with its parameters checked against the catalogue (SchemaError if they do not fit). */
  async invoke<M extends keyof Methods & string>(caller: string, method: M, params: ParamsOf<Methods, M>): Promise<ResultOf<Methods, M>> {
    const checked = ApiMethods[method].params.parse(params) as ParamsOf<Methods, M>;
    const session = this.of(caller) as DbusSession;
    const op = this.operations[method] as (p: ParamsOf<Methods, M>, ctx: { session: ApiSession; signal: AbortSignal }) => unknown;
    return (await op(checked, { session, signal: session.abortSignal })) as ResultOf<Methods, M>;
  }
}
