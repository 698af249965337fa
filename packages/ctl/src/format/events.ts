/**
 * The lines `bluechictl monitor` and `metrics listen` print for each event,
 * in upstream's format (reference §1.6 and §7), and their one-object-per-line
 * JSON forms.
 */
import type { ApiSignals, SignalParamsOf } from '@bluechi-ts/protocol';

type P<S extends keyof typeof ApiSignals> = SignalParamsOf<typeof ApiSignals, S>;

export type MonitorEvent =
  | ({ event: 'UnitNew' } & P<'UnitNew'>)
  | ({ event: 'UnitRemoved' } & P<'UnitRemoved'>)
  | ({ event: 'UnitStateChanged' } & P<'UnitStateChanged'>)
  | ({ event: 'UnitPropertiesChanged' } & P<'UnitPropertiesChanged'>);

export function monitorHeader(path: string, node: string, units: readonly string[]): string {
  return `Monitor path: ${path}\n` + units.map((u) => `Subscribing to node '${node}' and unit '${u}'\n`).join('');
}

/**
 * One event: `[node] unit`, then tab-indented details. For a property change
 * upstream lists only the first string-typed property of the signal (D-Bus
 * signature `s`; e.g. ActiveState of the Unit interface, StatusText of Service),
 * as its transcripts show; `--json` carries them all.
 */
export function monitorEventLines(e: MonitorEvent): string {
  const head = `[${e.node}] ${e.unit}\n`;
  switch (e.event) {
    case 'UnitNew':
      return `${head}\tUnit created (reason: ${e.reason})\n`;
    case 'UnitRemoved':
      return `${head}\tUnit removed (reason: ${e.reason})\n`;
    case 'UnitStateChanged':
      return `${head}\tUnit state changed (reason: ${e.reason})\n\tActive: ${e.activeState} (${e.subState})\n`;
    case 'UnitPropertiesChanged': {
      const first = Object.entries(e.properties).find(([name, value]) => e.signatures[name] === 's' && typeof value === 'string');
      return `${head}\tUnit properties changed (Interface: ${e.interface})\n` + (first ? `\t${first[0]}: ${String(first[1])}\n` : '');
    }
  }
}

/** `--json`: one compact object per line, `event` first, without the monitor id. */
export function monitorEventJson(e: MonitorEvent): string {
  const { event, monitorId: _monitorId, ...rest } = e;
  if (event === 'UnitPropertiesChanged') {
    const { signatures: _signatures, ...props } = rest as Omit<P<'UnitPropertiesChanged'>, 'monitorId'>;
    return JSON.stringify({ event, ...props }) + '\n';
  }
  return JSON.stringify({ event, ...rest }) + '\n';
}

/**
 * Microseconds as upstream prints them: `us * 1e-3` with printf's `%.1lf`,
 * milliseconds with one decimal. printf rounds an exact tie to even where
 * toFixed rounds it up; of the ties one decimal can meet (x.25 and x.75),
 * only x.25 differs (x.2 against x.3).
 */
export function millis(us: number): string {
  const ms = us * 1e-3;
  const text = ms - Math.floor(ms) === 0.25 ? `${Math.floor(ms)}.2` : ms.toFixed(1);
  return `${text}ms`;
}

export function startUnitJobLines(m: P<'StartUnitJobMetrics'>): string {
  return (
    `[${m.node}] Job ${m.jobPath} to start unit ${m.unit}:\n` +
    `\tBlueChi job gross measured time: ${millis(m.jobMeasuredTimeUs)}\n` +
    `\tUnit net start time (from properties): ${millis(m.unitStartPropTimeUs)}\n`
  );
}

export function agentJobLine(m: P<'AgentJobMetrics'>): string {
  return `[${m.node}] Agent systemd ${m.method} job on ${m.unit} net measured time: ${millis(m.systemdJobTimeUs)}\n`;
}
