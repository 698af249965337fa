import { describe, expect, it } from 'vitest';
import type { RequestContext } from '@bluechi-ts/protocol';
import { createLogger } from '@bluechi-ts/protocol/logging';
import { FakeSystemdManager } from '../systemd/fake-manager.js';
import { UnitWatch, type AgentNotify } from '../unit-watch.js';
import { agentHandlers } from './index.js';

const ctx: RequestContext = { id: 1, signal: new AbortController().signal };

function setup() {
  const levels: string[] = [];
  const lines: string[] = [];
  const log = createLogger({ name: 'test', level: 'INFO', target: 'stderr', quiet: false, write: (l) => lines.push(l) });
  const systemd = new FakeSystemdManager({ 'a.service': { activeState: 'active', subState: 'running' } });
  const sent: string[] = [];
  const notify: AgentNotify = (name, p) => sent.push(`${name} ${(p as { unit: string }).unit}`);
  const watch = new UnitWatch(systemd, notify, log);
  const handlers = agentHandlers({ systemd, watch, notify, log, metrics: { enabled: false }, onLogLevel: (l) => levels.push(l) });
  return { handlers, log, lines, watch, sent, levels };
}

describe('agent handlers: subscriptions and log level', () => {
  it('Subscribe and Unsubscribe drive the unit watch, `*` included', async () => {
    const { handlers, watch, sent } = setup();
    await handlers.Subscribe({ unit: 'a.service' }, ctx);
    expect(sent).toEqual(['UnitNew a.service', 'UnitStateChanged a.service']);
    await handlers.Subscribe({ unit: '*' }, ctx);
    expect(watch.size).toBe(2);
    await handlers.Unsubscribe({ unit: 'a.service' }, ctx);
    await handlers.Unsubscribe({ unit: '*' }, ctx);
    expect(watch.size).toBe(0);
  });

  it('refuses to subscribe to an invalid unit name', async () => {
    const { handlers, watch } = setup();
    await expect(handlers.Subscribe({ unit: 'nope' }, ctx)).rejects.toMatchObject({ code: 'INVALID_UNIT_NAME' });
    expect(watch.size).toBe(0);
  });

  it('SetLogLevel changes the level and tells the agent the new one', async () => {
    const { handlers, log, lines, levels } = setup();
    log.debug('hidden');
    await handlers.SetLogLevel({ level: 'DEBUG' }, ctx);
    log.debug('shown');
    await handlers.SetLogLevel({ level: 'ERROR' }, ctx);
    log.warn('hidden too');
    expect(lines.filter((l) => /hidden|shown/.test(l)).map((l) => l.replace(/^\S+ /, ''))).toEqual(['DEBUG\t: shown\n']);
    expect(levels).toEqual(['DEBUG', 'ERROR']);
  });

  it.each([['debug'], ['TRACE'], ['']])("refuses the level '%s' with INVALID_ARGS", async (level) => {
    const { handlers, log, levels } = setup();
    await expect(Promise.resolve().then(() => handlers.SetLogLevel({ level }, ctx))).rejects.toMatchObject({
      code: 'INVALID_ARGS',
      message: 'Invalid input for log level',
    });
    expect(log.level).toBe('info');
    expect(levels).toEqual([]);
  });
});
