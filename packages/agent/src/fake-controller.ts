/**
 * A minimal controller for agent tests: a WebSocket server on loopback that
 * speaks the agent link (protocol catalogue, RpcPeer), answers Register, and
 * lets a test send heartbeats, call the agent's methods and see its signals.
 * Not part of any program.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  AGENT_SUBPROTOCOL,
  AgentMethods,
  AgentSignals,
  ControllerMethods,
  ControllerSignals,
  RpcPeer,
  webSocketTransport,
} from '@bluechi-ts/protocol';

export type AgentPeer = RpcPeer<typeof AgentMethods, typeof ControllerSignals, typeof ControllerMethods, typeof AgentSignals>;

export class FakeController {
  /** Names registered, in order, one per registration. */
  readonly registrations: string[] = [];
  /** Signals the agent sent, as `Name {json}`. */
  readonly signals: string[] = [];
  private readonly peers = new Set<AgentPeer>();

  private constructor(private readonly wss: WebSocketServer) {
    wss.on('connection', (ws) => {
      const record = (name: string) => (p: unknown) => this.signals.push(`${name} ${JSON.stringify(p)}`);
      const peer: AgentPeer = new RpcPeer(webSocketTransport(ws), {
        outgoing: { methods: AgentMethods, signals: ControllerSignals },
        incoming: { methods: ControllerMethods, signals: AgentSignals },
        handlers: {
          Register: ({ name }) => {
            this.registrations.push(name);
            return { controllerVersion: 'fake' };
          },
          ProxyNew: () => ({}),
        },
        signalHandlers: Object.fromEntries(Object.keys(AgentSignals).filter((s) => s !== 'Heartbeat').map((s) => [s, record(s)])),
      });
      this.peers.add(peer);
      peer.onClose(() => this.peers.delete(peer));
    });
  }

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  static async start(port = 0): Promise<FakeController> {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port,
      handleProtocols: (protocols) => (protocols.has(AGENT_SUBPROTOCOL) ? AGENT_SUBPROTOCOL : false),
    });
    await once(wss, 'listening');
    return new FakeController(wss);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  /** The sd-bus address of this controller. */
  get address(): string {
    return `tcp:host=127.0.0.1,port=${this.port}`;
  }

  /** Agents connected right now. */
  get connected(): number {
    return this.peers.size;
  }

  /** The one connected agent; throws unless exactly one is connected. */
  agent(): AgentPeer {
    if (this.peers.size !== 1) throw new Error(`expected one connected agent, have ${this.peers.size}`);
    return [...this.peers][0]!;
  }

  heartbeat(): void {
    for (const p of this.peers) p.notify('Heartbeat', {});
  }

  /** Drops every agent connection and stops listening. */
  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
