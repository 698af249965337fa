/**
 * The local API (what bluechictl talks to) is a Unix socket only root can
 * reach: /run/bluechi is 0700, api.sock is 0600, both root's. The controller
 * listens on TCP for agents alone, on the configured port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';

/**
 * Runs inside the container: the listening sockets of a process, found by
 * matching the socket inodes of its file descriptors against /proc/net.
 */
const LISTENERS_SCRIPT = String.raw`
const fs = require('node:fs');
const pid = process.argv[2];
const inodes = new Set();
for (const fd of fs.readdirSync('/proc/' + pid + '/fd')) {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync('/proc/' + pid + '/fd/' + fd));
    if (m) inodes.add(m[1]);
  } catch {}
}
const tcp = [];
for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) tcp.push(parseInt(f[1].split(':')[1], 16));
  }
}
const unix = [];
for (const line of fs.readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
  const f = line.trim().split(/\s+/);
  // Flags 00010000 = __SO_ACCEPTCON: a listening socket.
  if (f.length > 7 && f[3] === '00010000' && inodes.has(f[6])) unix.push(f[7]);
}
console.log(JSON.stringify({ tcp: [...new Set(tcp)].sort(), unix: unix.sort() }));
`;

describe('the API socket is local and root only', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps /run/bluechi at 0700 and the sockets at 0600, owned by root', async () => {
    expect(await cluster.main.exec('stat -c "%a %U %G %F %n" /run/bluechi /run/bluechi/api.sock /run/bluechi/bluechi.sock')).toEqual({
      exitCode: 0,
      stdout:
        '700 root root directory /run/bluechi\n' +
        '600 root root socket /run/bluechi/api.sock\n' +
        '600 root root socket /run/bluechi/bluechi.sock\n',
      stderr: '',
    });
  });

  it('listens on TCP only on the agent port; the API is on the Unix socket', async () => {
    const pid = (await cluster.main.run('systemctl show -p MainPID --value bluechi-controller')).stdout.trim();
    // Not under /tmp or /run: files copied into the container land beneath those tmpfs mounts.
    await cluster.main.writeFile('/var/tmp/listeners.cjs', LISTENERS_SCRIPT);
    const result = await cluster.main.run(`node /var/tmp/listeners.cjs ${pid}`);
    expect(JSON.parse(result.stdout)).toEqual({
      tcp: [cluster.port],
      unix: ['/run/bluechi/api.sock', '/run/bluechi/bluechi.sock'],
    });
  });

  it('refuses bluechictl to anyone but root', async () => {
    expect(await cluster.main.exec('setpriv --reuid=65534 --regid=65534 --clear-groups bluechictl status')).toEqual({
      exitCode: 1,
      stdout: '',
      stderr:
        'Failed to connect to the controller at /run/bluechi/api.sock: Permission denied (the API socket is for root only)\n',
    });
  });

  it('serves root', async () => {
    const status = await cluster.ctl('status');
    expect(status.exitCode).toBe(0);
    expect(status.stderr).toBe('');
  });
});
