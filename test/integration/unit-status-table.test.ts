/**
 * `bluechictl status NODE UNIT...`: upstream's tab-aligned unit table, byte
 * for byte, for one and several units; a unit systemd does not know prints a
 * line on stderr and no row (exit 0); an offline or unknown node prints the
 * header, then two error lines (exit 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { unitTableHeader, unitTableRow } from '../harness/expected-output.js';

const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n';
const ENABLEABLE = `${ONESHOT}\n[Install]\nWantedBy=multi-user.target\n`;
const LONG = 'a-rather-long-unit-name.service'; // 31 characters

describe('status of units on a node', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      agents: ['worker1'],
      // A configured node that never connects: offline, never seen.
      controllerConf: '[node ghost]\nAllowed=true',
    });
    const worker1 = cluster.node('worker1');
    await worker1.writeFile('/etc/systemd/system/bench.service', ONESHOT);
    await worker1.writeFile(`/etc/systemd/system/${LONG}`, ENABLEABLE);
    await worker1.run('systemctl daemon-reload');
    await worker1.run(`systemctl enable ${LONG} && systemctl start ${LONG}`);
    await cluster.main.writeUnit('bench.service', ONESHOT);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('prints one unit exactly as upstream does', async () => {
    expect(await cluster.ctl('status worker1 bench.service')).toEqual({
      exitCode: 0,
      stdout:
        'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '------------------------------------------------------------------------------------------------\n' +
        'bench.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n',
      stderr: '',
    });
  });

  it('aligns several units on the longest name', async () => {
    const units = ['bench.service', LONG, 'dbus.service'];
    expect(await cluster.ctl(`status worker1 ${units.join(' ')}`)).toEqual({
      exitCode: 0,
      stdout:
        unitTableHeader(units) +
        unitTableRow(units, 'bench.service', ['loaded', 'inactive', 'dead', 'running', 'static']) +
        unitTableRow(units, LONG, ['loaded', 'active', 'exited', 'running', 'enabled']) +
        unitTableRow(units, 'dbus.service', ['loaded', 'active', 'running', 'running', 'static']),
      stderr: '',
    });
    // W=31: four tabs after UNIT and 112 dashes.
    const [header, rule] = (await cluster.ctl(`status worker1 ${units.join(' ')}`)).stdout.split('\n');
    expect(header).toBe('UNIT\t\t\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|');
    expect(rule).toBe('-'.repeat(112));
  });

  it('follows the unit into its new state', async () => {
    await cluster.ctl('start worker1 bench.service');
    try {
      expect((await cluster.ctl('status worker1 bench.service')).stdout).toBe(
        unitTableHeader(['bench.service']) +
          'bench.service\t| loaded\t| active\t| exited\t| running\t| static\t|\n',
      );
    } finally {
      await cluster.ctl('stop worker1 bench.service');
    }
  });

  it('prints a unit of the local agent', async () => {
    expect(await cluster.ctl('status main bench.service')).toEqual({
      exitCode: 0,
      stdout: unitTableHeader(['bench.service']) + 'bench.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n',
      stderr: '',
    });
  });

  it('reports a unit systemd cannot find on stderr and still exits 0', async () => {
    expect(await cluster.ctl('status worker1 nosuch.service')).toEqual({
      exitCode: 0,
      stdout:
        'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '------------------------------------------------------------------------------------------------\n',
      stderr: 'Unit nosuch.service could not be found.\n',
    });
  });

  it('prints the units it finds beside one it cannot find', async () => {
    expect(await cluster.ctl('status worker1 nosuch.service bench.service')).toEqual({
      exitCode: 0,
      stdout:
        'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '------------------------------------------------------------------------------------------------\n' +
        'bench.service\t| loaded\t| inactive\t| dead\t\t| running\t| static\t|\n',
      stderr: 'Unit nosuch.service could not be found.\n',
    });
  });

  it('prints the header, then two error lines, for an offline node (exit 1)', async () => {
    expect(await cluster.ctl('status ghost bench.service')).toEqual({
      exitCode: 1,
      stdout: unitTableHeader(['bench.service']),
      stderr:
        'Failed to issue call: Node is offline\n' +
        'Failed to get status of unit bench.service on node ghost - Input/output error\n',
    });
  });

  it('prints the header, then two error lines, for an unknown node (exit 1)', async () => {
    expect(await cluster.ctl('status nosuchnode bench.service')).toEqual({
      exitCode: 1,
      stdout:
        'UNIT\t\t| LOADED\t| ACTIVE\t| SUBSTATE\t| FREEZERSTATE\t| ENABLED\t|\n' +
        '------------------------------------------------------------------------------------------------\n',
      stderr:
        "Failed to issue call: Unknown object '/org/eclipse/bluechi/node/nosuchnode'.\n" +
        'Failed to get status of unit bench.service on node nosuchnode - Invalid request descriptor\n',
    });
  });

  it('shows the never-connected node offline and never seen', async () => {
    expect((await cluster.ctl('status ghost')).stdout).toBe(
      'NODE                          | STATE     | IP                      | LAST SEEN                   \n' +
        `${'='.repeat(90)}\n` +
        'ghost                         | offline   |                         | never                       \n',
    );
  });
});
