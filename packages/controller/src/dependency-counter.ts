/**
 * Counts proxy dependencies per (target node, unit) across all requesting
 * nodes, and says what to do about each change, with a reason to log.
 *
 * - Every added proxy asks for StartDep, even when the count was already above
 *   zero: a dep that stopped together with its target is started again.
 * - The first proxy subscribes to the target's state; the last one to go
 *   unsubscribes and asks for StopDep. The target itself stops only if it has
 *   StopWhenUnneeded=yes: that is systemd's decision on the target node.
 * Pure: no I/O, no timers.
 */

export type ProxyRef = { requester: string; proxyId: number };
export type Target = { node: string; unit: string };

export type DepAction =
  | { kind: 'Subscribe' | 'Unsubscribe' | 'StartDep' | 'StopDep'; node: string; unit: string; reason: string };

function targetKey(t: Target): string {
  return `${t.node}\u0000${t.unit}`;
}
function proxyKey(p: ProxyRef): string {
  return `${p.requester}\u0000${p.proxyId}`;
}

export class DependencyCounter {
  private readonly holders = new Map<string, Set<string>>();
  private readonly proxies = new Map<string, { ref: ProxyRef; target: Target }>();

  count(target: Target): number {
    return this.holders.get(targetKey(target))?.size ?? 0;
  }

  targetOf(ref: ProxyRef): Target | undefined {
    return this.proxies.get(proxyKey(ref))?.target;
  }

  /** Proxies waiting on a target, for forwarding its state. */
  proxiesOf(target: Target): ProxyRef[] {
    const keys = this.holders.get(targetKey(target));
    if (!keys) return [];
    return [...keys].map((k) => this.proxies.get(k)!.ref);
  }

  /** Every proxy registered by one requesting node. */
  proxiesFrom(requester: string): ProxyRef[] {
    return [...this.proxies.values()].filter((p) => p.ref.requester === requester).map((p) => p.ref);
  }

  /** Targets on `node` that something still needs, with their counts. */
  targetsOn(node: string): Array<{ unit: string; count: number }> {
    const out: Array<{ unit: string; count: number }> = [];
    for (const [key, set] of this.holders) {
      const [n, unit] = key.split('\u0000') as [string, string];
      if (n === node && set.size > 0) out.push({ unit, count: set.size });
    }
    return out;
  }

  add(ref: ProxyRef, target: Target): DepAction[] {
    const actions: DepAction[] = [];
    const existing = this.proxies.get(proxyKey(ref));
    if (existing && targetKey(existing.target) === targetKey(target)) {
      // Re-announced (e.g. after a reconnect): same count, but make sure the dep runs.
      return [{ kind: 'StartDep', ...target, reason: `node '${ref.requester}' re-announced proxy ${ref.proxyId} for ${target.unit} on ${target.node}` }];
    }
    if (existing) actions.push(...this.remove(ref));
    const key = targetKey(target);
    let set = this.holders.get(key);
    if (!set) {
      set = new Set();
      this.holders.set(key, set);
    }
    set.add(proxyKey(ref));
    this.proxies.set(proxyKey(ref), { ref, target });
    const n = set.size;
    const who = `node '${ref.requester}' (proxy ${ref.proxyId})`;
    if (n === 1) actions.push({ kind: 'Subscribe', ...target, reason: `first dependency on ${target.unit} on ${target.node}, from ${who}` });
    actions.push({
      kind: 'StartDep',
      ...target,
      reason: n === 1 ? `${who} needs ${target.unit} on ${target.node}` : `${who} also needs ${target.unit} on ${target.node} (${n} dependencies)`,
    });
    return actions;
  }

  /**
   * Gives a counted proxy a new id (same requester, same target, same
   * count): an agent that restarted announces its running proxies under new
   * ids. False when `from` is not counted or `toId` is taken.
   */
  rekey(from: ProxyRef, toId: number): boolean {
    const entry = this.proxies.get(proxyKey(from));
    const to = { requester: from.requester, proxyId: toId };
    if (!entry || this.proxies.has(proxyKey(to))) return false;
    const set = this.holders.get(targetKey(entry.target))!;
    set.delete(proxyKey(from));
    set.add(proxyKey(to));
    this.proxies.delete(proxyKey(from));
    this.proxies.set(proxyKey(to), { ref: to, target: entry.target });
    return true;
  }

  remove(ref: ProxyRef): DepAction[] {
    const entry = this.proxies.get(proxyKey(ref));
    if (!entry) return [];
    this.proxies.delete(proxyKey(ref));
    const key = targetKey(entry.target);
    const set = this.holders.get(key)!;
    set.delete(proxyKey(ref));
    if (set.size > 0) return [];
    this.holders.delete(key);
    const t = entry.target;
    const why = `last dependency on ${t.unit} on ${t.node} released by node '${ref.requester}' (proxy ${ref.proxyId})`;
    return [
      { kind: 'StopDep', ...t, reason: why },
      { kind: 'Unsubscribe', ...t, reason: why },
    ];
  }

  /** Releases everything a requesting node held (it disconnected). */
  removeRequester(requester: string): DepAction[] {
    return this.proxiesFrom(requester).flatMap((ref) => this.remove(ref));
  }

  /**
   * What to send a target node that (re)connected: start every needed dep again.
   * (Its unit subscriptions are re-sent by the subscription multiplexer.)
   */
  resend(node: string): DepAction[] {
    return this.targetsOn(node).map(({ unit, count }) => ({
      kind: 'StartDep' as const,
      node,
      unit,
      reason: `node '${node}' connected; ${count} dependencies on ${unit}`,
    }));
  }
}
