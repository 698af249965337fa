/**
 * A fault-injecting TCP relay on loopback, run in the test process, to put
 * between an agent and the controller (with host networking the containers
 * reach the test process's 127.0.0.1). Point the agent at `relay.port`:
 *
 *   const relay = await FaultRelay.start(cluster.port);
 *   agentConf: { worker1: `ControllerPort=${relay.port}` }
 *
 * Modes, for every connection open now and every later one:
 *   pass       bytes flow both ways (the start state)
 *   blackhole  connections stay open but nothing gets through, closes
 *              included: a partition, as both ends see it
 *   delay      every chunk is held back `ms` before it is passed on
 * and `cut()` destroys every open connection (both ends see a reset).
 * `heal()` passes bytes again. What a blackhole held is then delivered, as TCP
 * would retransmit it; a connection whose other end closed meanwhile is reset,
 * as the late segments would be answered.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type RelayMode = 'pass' | 'blackhole' | 'delay';

const LOOPBACK = '127.0.0.1';

/** One agent-side connection and its controller-side twin. */
class Pair {
  /** Chunks held by a blackhole, per direction. */
  private readonly held = { up: [] as Buffer[], down: [] as Buffer[] };
  /** An end closed while the blackhole hid it. */
  private endedUnseen = false;
  private destroyed = false;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
    private readonly relay: FaultRelay,
    onDone: () => void,
  ) {
    client.on('data', (chunk: Buffer) => this.forward('up', chunk));
    upstream.on('data', (chunk: Buffer) => this.forward('down', chunk));
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (!this.destroyed && this.relay.mode === 'blackhole') {
          this.endedUnseen = true;
          return;
        }
        this.destroy();
        onDone();
      });
    }
  }

  private forward(direction: 'up' | 'down', chunk: Buffer): void {
    const to = direction === 'up' ? this.upstream : this.client;
    switch (this.relay.mode) {
      case 'blackhole':
        this.held[direction].push(chunk);
        return;
      case 'delay':
        setTimeout(() => to.destroyed || to.write(chunk), this.relay.delayMs);
        return;
      default:
        to.write(chunk);
    }
  }

  /** After a blackhole: deliver what was held, or reset if an end went away meanwhile. */
  heal(): void {
    if (this.endedUnseen || this.client.destroyed || this.upstream.destroyed) {
      this.destroy();
      return;
    }
    for (const chunk of this.held.up.splice(0)) this.upstream.write(chunk);
    for (const chunk of this.held.down.splice(0)) this.client.write(chunk);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.client.resetAndDestroy();
    this.upstream.resetAndDestroy();
  }
}

export class FaultRelay {
  private current: RelayMode = 'pass';
  private delay = 0;
  private readonly pairs = new Set<Pair>();
  /** Connections accepted so far, the ones before a cut included. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    /** The relay's port on 127.0.0.1: point the agent here. */
    readonly port: number,
    /** The controller's port on 127.0.0.1. */
    readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1 and relays to 127.0.0.1:targetPort. */
  static async start(targetPort: number): Promise<FaultRelay> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: LOOPBACK, port: 0 }, () => resolve());
    });
    const address = server.address();
    if (!address || typeof address !== 'object') throw new Error('relay has no port');
    return new FaultRelay(server, address.port, targetPort);
  }

  get mode(): RelayMode {
    return this.current;
  }

  get delayMs(): number {
    return this.delay;
  }

  /** Connections open through the relay right now. */
  get open(): number {
    return this.pairs.size;
  }

  /** Nothing gets through, in either direction, until `heal()`. */
  blackhole(): void {
    this.current = 'blackhole';
  }

  /** Every chunk from now on is passed on `ms` late. */
  slow(ms: number): void {
    this.current = 'delay';
    this.delay = ms;
  }

  /** Resets every open connection; new ones are relayed as the mode says. */
  cut(): void {
    for (const pair of [...this.pairs]) pair.destroy();
    this.pairs.clear();
  }

  /** Bytes flow again; held bytes are delivered, connections whose other end left are reset. */
  heal(): void {
    const wasBlackhole = this.current === 'blackhole';
    this.current = 'pass';
    this.delay = 0;
    if (!wasBlackhole) return;
    for (const pair of [...this.pairs]) pair.heal();
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    // A connection made during a blackhole still reaches the listener (as a
    // SYN would be retransmitted after it); its bytes wait like the others.
    const upstream = createConnection({ host: LOOPBACK, port: this.targetPort });
    const pair: Pair = new Pair(client, upstream, this, () => this.pairs.delete(pair));
    this.pairs.add(pair);
  }
}
