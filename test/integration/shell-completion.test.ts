/**
 * Shell completion of bluechictl (and ctl) as installed: the bash script is
 * sourced in the controller's container and its completion function called
 * with COMP_WORDS/COMP_CWORD set, as bash does on TAB; the zsh script is
 * found by compinit on zsh's default fpath and its completion function run
 * with `words`/CURRENT set, with compadd recording what it is given. Node
 * names come from the controller, unit names from worker1's systemd.
 */
import { VERBS } from '@bluechi-ts/ctl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { shq } from '../harness/systemd-container.js';

const BASH_SCRIPT = '/usr/share/bash-completion/completions/bluechictl';
const ZSH_SCRIPT = '/usr/share/zsh/vendor-completions/_bluechictl';
/** Loaded on worker1 only, so its name can only come from worker1's systemd. */
const WORKER_UNIT = 'only-on-worker1.service';
const ONESHOT = '[Service]\nType=oneshot\nExecStart=/bin/true\nRemainAfterExit=yes\n\n[Install]\nWantedBy=multi-user.target\n';

const VISIBLE_VERBS = VERBS.filter((v) => !v.hidden).map((v) => v.name);

describe('shell completion', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ agents: ['worker1'] });
    const worker1 = cluster.node('worker1');
    await worker1.writeUnit(WORKER_UNIT, ONESHOT);
    await worker1.run(`systemctl start ${WORKER_UNIT}`);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /**
   * What bash would offer for the last of `words`, as bash splits them (so
   * `--kill-whom=m` is three words). Returns the candidates, sorted as bash
   * shows them, and what went to stderr.
   */
  async function bash(...words: string[]): Promise<{ candidates: string[]; stderr: string; nospace: boolean }> {
    const script = [
      `source ${BASH_SCRIPT}`,
      `COMP_WORDS=(${words.map(shq).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      'COMPREPLY=()',
      // compopt only works while bash is completing: record what the script asks for instead.
      'compopt() { echo "compopt $*" >&3; }',
      '_bluechictl 3>/tmp/compopt.log',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = await cluster.main.exec(script);
    expect(r.exitCode, r.stderr).toBe(0);
    const compopt = await cluster.main.exec('cat /tmp/compopt.log; rm -f /tmp/compopt.log');
    const candidates = r.stdout.split('\n').filter((l) => l !== '').sort();
    return { candidates, stderr: r.stderr, nospace: compopt.stdout.includes('compopt -o nospace') };
  }

  const sorted = (list: readonly string[]) => [...list].sort();

  describe('bash', () => {
    it('registers one completion function for bluechictl and ctl', async () => {
      const r = await cluster.main.exec(`source ${BASH_SCRIPT}; complete -p bluechictl ctl`);
      expect(r).toEqual({ exitCode: 0, stdout: 'complete -F _bluechictl bluechictl\ncomplete -F _bluechictl ctl\n', stderr: '' });
      // Installed for on-demand loading under both names.
      expect((await cluster.main.exec('readlink /usr/share/bash-completion/completions/ctl')).stdout).toBe('bluechictl\n');
    });

    it('offers the verbs for the first word', async () => {
      expect(await bash('bluechictl', '')).toEqual({ candidates: sorted(VISIBLE_VERBS), stderr: '', nospace: false });
      expect((await bash('bluechictl', 'st')).candidates).toEqual(['start', 'status', 'stop']);
      expect((await bash('ctl', 'list-u')).candidates).toEqual(['list-unit-files', 'list-units']);
    });

    it('offers the node names the controller knows', async () => {
      expect((await bash('bluechictl', 'start', '')).candidates).toEqual(['main', 'worker1']);
      expect((await bash('bluechictl', 'status', 'w')).candidates).toEqual(['worker1']);
    });

    it("offers the units of the named node, from that node's systemd", async () => {
      expect((await bash('bluechictl', 'start', 'worker1', 'only-')).candidates).toEqual([WORKER_UNIT]);
      expect((await bash('ctl', 'stop', 'worker1', 'only-')).candidates).toEqual([WORKER_UNIT]);
      expect((await bash('bluechictl', 'start', 'main', 'only-')).candidates).toEqual([]);
      expect((await bash('bluechictl', 'status', 'worker1', 'dbus.s')).candidates).toEqual(['dbus.service', 'dbus.socket']);
      expect((await bash('bluechictl', 'status', 'main', 'bluechi-c')).candidates).toEqual(['bluechi-controller.service', 'bluechi-controller.socket']);
    });

    it('offers the unit files of the named node for enable', async () => {
      expect((await bash('bluechictl', 'enable', 'worker1', 'only-')).candidates).toEqual([WORKER_UNIT]);
    });

    it("offers the verb's options, and values after '='", async () => {
      expect((await bash('bluechictl', 'start', 'worker1', WORKER_UNIT, '--')).candidates).toEqual(['--help', '--json', '--no-block']);
      const kill = await bash('bluechictl', 'kill', 'worker1', WORKER_UNIT, '--k');
      expect(kill).toEqual({ candidates: ['--kill-whom='], stderr: '', nospace: true });
      // bash splits `--kill-whom=m` at '='; readline replaces only what follows it.
      expect((await bash('bluechictl', 'kill', 'worker1', WORKER_UNIT, '--kill-whom', '=', 'm')).candidates).toEqual(['main']);
      expect((await bash('bluechictl', 'kill', 'worker1', WORKER_UNIT, '--kill-whom', '=')).candidates).toEqual(['all', 'control', 'main']);
      expect((await bash('bluechictl', 'status', '-o', '')).candidates).toEqual(['wide']);
    });
  });

  describe('zsh', () => {
    /** Runs a zsh script after compinit has loaded the installed completions from zsh's default fpath. */
    function zsh(body: string) {
      const script = ['autoload -U compinit', 'compinit -u -D', body].join('\n');
      return cluster.main.exec(`zsh -f -c ${shq(script)}`);
    }

    /** What the zsh completion hands to compadd for the last of `words`, one call per line. */
    async function zshCompadd(...words: string[]): Promise<string> {
      const r = await zsh(
        [
          'compadd() { print -r -- "compadd $*" }',
          `words=(${words.map(shq).join(' ')})`,
          `CURRENT=${words.length}`,
          '_bluechictl',
        ].join('\n'),
      );
      expect(r.stderr).toBe('');
      return r.stdout;
    }

    it('is registered by compinit for bluechictl and ctl', async () => {
      expect(await zsh('print -r -- $_comps[bluechictl] $_comps[ctl]; print -r -- ${^fpath}/_bluechictl(N)')).toEqual({
        exitCode: 0,
        stdout: `_bluechictl _bluechictl\n${ZSH_SCRIPT}\n`,
        stderr: '',
      });
    });

    it('offers verbs, node names, units and options', async () => {
      expect(await zshCompadd('bluechictl', 'st')).toBe('compadd -- start stop status\n');
      expect(await zshCompadd('ctl', 'start', '')).toBe('compadd -- main worker1\n');
      expect(await zshCompadd('bluechictl', 'start', 'worker1', 'only-')).toBe(`compadd -- ${WORKER_UNIT}\n`);
      expect(await zshCompadd('bluechictl', 'kill', 'worker1', WORKER_UNIT, '--')).toBe('compadd -- --help\ncompadd -S  -- --kill-whom= --signal=\n');
      expect(await zshCompadd('bluechictl', 'kill', 'worker1', WORKER_UNIT, '--kill-whom=m')).toBe('compadd -- --kill-whom=main\n');
    });
  });

  describe('without the controller', () => {
    beforeAll(async () => {
      await cluster.main.run('systemctl stop bluechi-controller');
    });

    afterAll(async () => {
      await cluster.main.run('systemctl start bluechi-controller');
      await cluster.waitOnline(['main', 'worker1']);
    });

    it('still offers what it knows, silently', async () => {
      expect(await bash('bluechictl', 'st')).toEqual({ candidates: ['start', 'status', 'stop'], stderr: '', nospace: false });
      expect(await bash('bluechictl', 'start', '')).toEqual({ candidates: [], stderr: '', nospace: false });
      expect((await bash('bluechictl', 'metrics', '')).candidates).toEqual(['disable', 'enable', 'listen']);
      expect(await cluster.main.exec('bluechictl __complete 2 bluechictl start ""')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    });
  });
});
