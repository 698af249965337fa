/**
 * `bluechictl status NODE UNIT... [-w] [-o wide] [--json]`.
 *
 * The default table is upstream's (format/unit-table.ts): the header first,
 * then one row per unit as its properties arrive. A unit systemd does not know
 * prints no row but `Unit X could not be found.` on stderr, and the exit
 * status stays 0. A failed call (unknown or offline node, ...) stops the
 * listing with exit status 1. `-o wide` adds since when and for how long each
 * unit is in its state, its main PID, restarts, memory and last result.
 *
 * `-w` prints the table, then redraws it (clearing the screen first) whenever
 * one of the units changes state, or its node comes or goes, and the table
 * with it, until SIGINT/SIGTERM. It keeps going while the node is away and
 * across controller restarts.
 */
import type { UnitProperties } from '@bluechi-ts/protocol';
import type { CtlClient, Deps } from '../deps.js';
import { errnoTextFor, errorMessage, isConnectionLost } from '../exit-codes.js';
import { painter } from '../format/colour.js';
import {
  formatUnitHeader,
  formatUnitRow,
  isUnitNotFound,
  maxNameLength,
  unitNotFoundMessage,
  unitStatusFromProperties,
  type UnitStatus,
} from '../format/unit-table.js';
import { formatWideTable, unitDetails, type UnitDetails } from '../format/unit-wide.js';
import { coalesce, followController } from './follow.js';

/** ANSI "erase display" + "cursor home", as upstream's watch mode prints them. */
export const CLEAR_SCREEN = '\x1b[2J\x1b[0;0H';

export type StatusMode = { watch: boolean; json: boolean; wide: boolean };

type Sink = { out(text: string): void; err(text: string): void };

/** Upstream's two lines for a unit whose status could not be read. */
function unitStatusFailed(sink: Sink, node: string, unit: string, err: unknown): void {
  sink.err(`Failed to issue call: ${errorMessage(err)}\n`);
  sink.err(`Failed to get status of unit ${unit} on node ${node} - ${errnoTextFor(err)}\n`);
}

type Read = { properties: UnitProperties; timestamp?: number | undefined };

/** Reads the units one by one; `row` gets each found unit and its status, the rest goes to `sink.err`. Resolves with the error that stopped it. */
async function readUnits(
  node: string,
  units: readonly string[],
  client: CtlClient,
  sink: Sink,
  row: (status: UnitStatus, read: Read) => void,
): Promise<{ failed?: unknown }> {
  for (const unit of units) {
    let read: Read;
    try {
      read = await client.call('GetUnitProperties', { node, unit });
    } catch (err) {
      unitStatusFailed(sink, node, unit, err);
      return { failed: err };
    }
    const status = unitStatusFromProperties(unit, read.properties);
    if (isUnitNotFound(status)) sink.err(unitNotFoundMessage(status));
    else row(status, read);
  }
  return {};
}

/**
 * Writes one table (upstream's, or the wide one when `wide`) to `sink`, in
 * colour when `deps.colour`; resolves with the error that stopped it, if any.
 */
async function writeUnitStatus(
  node: string,
  units: readonly string[],
  client: CtlClient,
  sink: Sink,
  wide: boolean,
  deps: Pick<Deps, 'colour' | 'clock'>,
): Promise<{ failed?: unknown }> {
  const paint = painter(deps.colour);
  if (wide) {
    const rows: UnitDetails[] = [];
    const result = await readUnits(node, units, client, { out: () => {}, err: sink.err }, (status, read) =>
      rows.push(unitDetails(status, read.properties, read.timestamp)),
    );
    sink.out(formatWideTable(rows, (ms) => deps.clock.offsetMinutes(ms), paint));
    return result;
  }
  const width = maxNameLength(units);
  sink.out(formatUnitHeader(width));
  return readUnits(node, units, client, sink, (status) => sink.out(formatUnitRow(status, width, paint)));
}

type Frame = { out: string; err: string; failed?: unknown };

async function collectFrame(node: string, units: readonly string[], client: CtlClient, deps: Deps, wide: boolean): Promise<Frame> {
  const frame: Frame = { out: '', err: '' };
  const sink = { out: (t: string) => (frame.out += t), err: (t: string) => (frame.err += t) };
  const result = await writeUnitStatus(node, units, client, sink, wide, deps);
  if ('failed' in result) frame.failed = result.failed;
  return frame;
}

async function watchUnits(node: string, units: readonly string[], mode: StatusMode, deps: Deps): Promise<number> {
  // The first table is printed without clearing the screen, like upstream.
  const first = await collectFrame(node, units, deps.client, deps, mode.wide);
  deps.out(first.out);
  deps.err(first.err);
  if ('failed' in first) return 1;
  let shown = first.out + first.err;
  return followController(deps, async (client, again) => {
    const redraw = coalesce(async () => {
      const frame = await collectFrame(node, units, client, deps, mode.wide);
      // A lost controller is followController's business: it reconnects and redraws.
      if (isConnectionLost(frame.failed) || frame.out + frame.err === shown) return;
      shown = frame.out + frame.err;
      deps.out(CLEAR_SCREEN + frame.out);
      deps.err(frame.err);
    });
    const { monitorId } = await client.call('CreateMonitor', {});
    // State changes only, as upstream: reading a stopped unit makes systemd
    // load it (UnitNew) and unload it again (UnitRemoved), so redrawing on
    // those would keep loading it for ever.
    client.on('UnitStateChanged', (e) => {
      if (e.monitorId === monitorId) void redraw();
    });
    // A node that comes back reports only its loaded units: read them all again.
    client.on('NodeStatusChanged', (e) => {
      if (e.node === node) void redraw();
    });
    await client.call('WatchNodes', {});
    await client.call('SubscribeList', { monitorId, node, units: [...units] });
    if (again) await redraw();
  });
}

/** `--json`: every unit's status and details, or the error that stopped the listing. */
async function unitStatusJson(node: string, units: readonly string[], deps: Deps): Promise<number> {
  const out: Array<UnitDetails & { unit: string; found: boolean }> = [];
  for (const unit of units) {
    let read: Read;
    try {
      read = await deps.client.call('GetUnitProperties', { node, unit });
    } catch (err) {
      unitStatusFailed(deps, node, unit, err);
      return 1;
    }
    const status = unitStatusFromProperties(unit, read.properties);
    out.push({ unit, found: !isUnitNotFound(status), ...unitDetails(status, read.properties, read.timestamp) });
  }
  deps.out(JSON.stringify({ node, units: out }, null, 2) + '\n');
  return 0;
}

export async function runUnitStatus(node: string, units: readonly string[], mode: StatusMode, deps: Deps): Promise<number> {
  if (mode.json) return unitStatusJson(node, units, deps);
  if (mode.watch) return watchUnits(node, units, mode, deps);
  const result = await writeUnitStatus(node, units, deps.client, deps, mode.wide, deps);
  return 'failed' in result ? 1 : 0;
}
