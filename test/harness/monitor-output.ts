/**
 * Upstream bluechictl's `monitor` and `metrics listen` output (reference §1.6
 * and §7, upstream-transcripts §6.6-6.7), written out independently of the
 * product's formatters: builders for exact expected blocks, and strict parsers
 * that refuse any line outside upstream's grammar.
 */

export type MonitorEvent =
  | { node: string; unit: string; kind: 'created' | 'removed'; reason: string }
  | { node: string; unit: string; kind: 'state'; reason: string; active: string; sub: string }
  | { node: string; unit: string; kind: 'properties'; iface: string; property?: { name: string; value: string } };

export type MonitorOutput = {
  /** `Monitor path: PATH` */
  path: string;
  /** One `[node, unit]` per `Subscribing to node 'N' and unit 'U'` line. */
  subscriptions: Array<[node: string, unit: string]>;
  events: MonitorEvent[];
};

/** `Monitor path: ...` and one `Subscribing ...` line per unit. */
export function monitorHeader(path: string, node: string, units: string[]): string {
  return `Monitor path: ${path}\n` + units.map((u) => `Subscribing to node '${node}' and unit '${u}'\n`).join('');
}

export const unitCreated = (node: string, unit: string, reason: 'real' | 'virtual') =>
  `[${node}] ${unit}\n\tUnit created (reason: ${reason})\n`;
export const unitRemoved = (node: string, unit: string, reason: string) =>
  `[${node}] ${unit}\n\tUnit removed (reason: ${reason})\n`;
export const unitStateChanged = (node: string, unit: string, reason: 'real' | 'virtual', active: string, sub: string) =>
  `[${node}] ${unit}\n\tUnit state changed (reason: ${reason})\n\tActive: ${active} (${sub})\n`;

/**
 * Parses a complete monitor output (the header, then whole events). Throws on
 * a line upstream's monitor would not print; a last line without its newline
 * (still being written) is left out.
 */
export function parseMonitorOutput(out: string): MonitorOutput {
  const lines = out.split('\n');
  lines.pop(); // the text after the last newline: empty, or a line still being written
  const path = /^Monitor path: (\/org\/eclipse\/bluechi\/monitor\/\d+)$/.exec(lines[0] ?? '')?.[1];
  if (path === undefined) throw new Error(`no monitor path line at the start of:\n${out}`);
  let i = 1;
  const subscriptions: Array<[string, string]> = [];
  for (let m; (m = /^Subscribing to node '(.*)' and unit '(.*)'$/.exec(lines[i] ?? '')); i++) subscriptions.push([m[1]!, m[2]!]);
  return { path, subscriptions, events: parseEventLines(lines.slice(i), out) };
}

/** Parses whole events only (e.g. what a monitor printed after some point), strictly. */
export function parseMonitorEvents(text: string): MonitorEvent[] {
  const lines = text.split('\n');
  lines.pop();
  return parseEventLines(lines, text);
}

function parseEventLines(lines: string[], out: string): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  let i = 0;
  while (i < lines.length) {
    const head = /^\[([^\]]+)\] (\S+)$/.exec(lines[i]!);
    if (!head) throw new Error(`not an event head: ${JSON.stringify(lines[i])}\n${out}`);
    const [, node, unit] = head as unknown as [string, string, string];
    const what = lines[i + 1] ?? '';
    let m: RegExpExecArray | null;
    if ((m = /^\tUnit (created|removed) \(reason: ([a-z-]+)\)$/.exec(what))) {
      events.push({ node, unit, kind: m[1] as 'created' | 'removed', reason: m[2]! });
      i += 2;
    } else if ((m = /^\tUnit state changed \(reason: (real|virtual)\)$/.exec(what))) {
      const active = /^\tActive: ([a-z-]+) \(([a-z-]+)\)$/.exec(lines[i + 2] ?? '');
      if (!active) throw new Error(`not an Active: line: ${JSON.stringify(lines[i + 2])}\n${out}`);
      events.push({ node, unit, kind: 'state', reason: m[1]!, active: active[1]!, sub: active[2]! });
      i += 3;
    } else if ((m = /^\tUnit properties changed \(Interface: ([A-Za-z0-9_.]+)\)$/.exec(what))) {
      const prop = /^\t([A-Z][A-Za-z0-9]*): (.*)$/.exec(lines[i + 2] ?? '');
      events.push({ node, unit, kind: 'properties', iface: m[1]!, ...(prop ? { property: { name: prop[1]!, value: prop[2]! } } : {}) });
      i += prop ? 3 : 2;
    } else {
      throw new Error(`not an event line: ${JSON.stringify(what)}\n${out}`);
    }
  }
  return events;
}

/** `Active:` values (`activating (start)`, ...) of the state changes of one unit, in order. */
export function stateChanges(events: MonitorEvent[], node: string, unit: string, reason?: string): string[] {
  return events.flatMap((e) =>
    e.kind === 'state' && e.node === node && e.unit === unit && (reason === undefined || e.reason === reason) ? [`${e.active} (${e.sub})`] : [],
  );
}

export const METRICS_WAITING = 'Waiting for metrics signals...\n';

export type AgentJobMetric = { kind: 'agent'; node: string; method: string; unit: string; ms: number };
export type StartJobMetric = { kind: 'start'; node: string; jobPath: string; unit: string; grossMs: number; netMs: number };

/**
 * Parses `metrics listen` output after its first line: agent lines and
 * three-line start-job blocks, milliseconds with exactly one decimal. Throws
 * on any other line.
 */
export function parseMetricsOutput(out: string): Array<AgentJobMetric | StartJobMetric> {
  if (!out.startsWith(METRICS_WAITING)) throw new Error(`metrics output does not start with ${JSON.stringify(METRICS_WAITING)}:\n${out}`);
  const lines = out.slice(METRICS_WAITING.length).split('\n');
  lines.pop();
  const ms = '(\\d+\\.\\d)ms';
  const agent = new RegExp(`^\\[([^\\]]+)\\] Agent systemd (StartUnit|StopUnit|RestartUnit|ReloadUnit) job on (\\S+) net measured time: ${ms}$`);
  const job = /^\[([^\]]+)\] Job (\/org\/eclipse\/bluechi\/job\/\d+) to start unit (\S+):$/;
  const gross = new RegExp(`^\\tBlueChi job gross measured time: ${ms}$`);
  const net = new RegExp(`^\\tUnit net start time \\(from properties\\): ${ms}$`);
  const result: Array<AgentJobMetric | StartJobMetric> = [];
  for (let i = 0; i < lines.length; ) {
    let m: RegExpExecArray | null;
    if ((m = agent.exec(lines[i]!))) {
      result.push({ kind: 'agent', node: m[1]!, method: m[2]!, unit: m[3]!, ms: Number(m[4]) });
      i += 1;
    } else if ((m = job.exec(lines[i]!))) {
      const g = gross.exec(lines[i + 1] ?? '');
      const n = net.exec(lines[i + 2] ?? '');
      if (!g || !n) throw new Error(`incomplete start job block at line ${i + 2}:\n${out}`);
      result.push({ kind: 'start', node: m[1]!, jobPath: m[2]!, unit: m[3]!, grossMs: Number(g[1]), netMs: Number(n[1]) });
      i += 3;
    } else {
      throw new Error(`line ${i + 2} is not a metrics line: ${JSON.stringify(lines[i])}\n${out}`);
    }
  }
  return result;
}
