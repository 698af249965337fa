import { describe, expect, it } from 'vitest';
import { BluechiError, ErrorCodes, unitRows, type UnitInfo } from '@bluechi-ts/protocol';
import { fakeServices, recordingSession, type AgentAnswer } from './fake-services.js';

const unit = (name: string): UnitInfo => ({
  name,
  description: '',
  loadState: 'loaded',
  activeState: 'active',
  subState: 'running',
  following: '',
  unitPath: '/',
  jobId: 0,
  jobType: '',
  jobPath: '/',
});
const UNITS: Record<string, UnitInfo[]> = { n1: [unit('a.service'), unit('bb.service')], n2: [unit('c.socket')], n3: [] };

/** Agents that answer ListUnitRows from UNITS, as the real agent does. */
const rowsAgent: AgentAnswer = (node, method, params) => {
  if (method === 'ListUnitRows') return unitRows(UNITS[node]!, params.fields as never, params.filter as string | undefined);
  if (method === 'ListUnits') return { units: UNITS[node] };
  throw new Error(`unexpected ${method}`);
};

function setup(answer: AgentAnswer = rowsAgent) {
  const { ops, calls } = fakeServices({ nodes: ['n1', 'n2', 'n3', 'n4'], attached: ['n2', 'n1', 'n3'], answer });
  const session = recordingSession();
  return { ops, calls, session };
}

describe('ListUnitRows', () => {
  it('answers every online node in configuration order, passing fields and filter to the agents', async () => {
    const { ops, calls, session } = setup();
    const r = await ops.ListUnitRows({ fields: ['name'], filter: '*.service' }, session.ctx);
    expect(r).toEqual({
      nodes: [
        { node: 'n1', rows: [['a.service'], ['bb.service']], widths: [10], total: 2 },
        { node: 'n2', rows: [], widths: [8], total: 1 },
        { node: 'n3', rows: [], widths: [0], total: 0 },
      ],
    });
    expect(calls.map((c) => [c.node, c.method, c.params])).toContainEqual(['n1', 'ListUnitRows', { fields: ['name'], filter: '*.service' }]);
    expect(session.signals).toEqual([]);
  });

  it('with a streamId, sends each node as a UnitRows signal and answers with the order only', async () => {
    const { ops, session } = setup();
    const r = await ops.ListUnitRows({ node: 'n2', fields: ['name', 'subState'], streamId: 7 }, session.ctx);
    expect(r).toEqual({ nodes: [], order: ['n2'] });
    expect(session.signals).toEqual([`UnitRows ${JSON.stringify({ streamId: 7, node: 'n2', rows: [['c.socket', 'running']], widths: [8, 7], total: 1 })}`]);
    const all = setup();
    expect(await all.ops.ListUnitRows({ fields: ['name'], streamId: 8 }, all.session.ctx)).toEqual({ nodes: [], order: ['n1', 'n2', 'n3'] });
    expect(all.session.signals).toHaveLength(3);
  });

  it('asks an agent without ListUnitRows for ListUnits and cuts the reply down itself', async () => {
    const { ops, calls, session } = setup((node, method, params) => {
      if (method === 'ListUnitRows' && node === 'n1') throw new BluechiError(ErrorCodes.UNKNOWN_METHOD, 'unknown method ListUnitRows');
      return rowsAgent(node, method, params);
    });
    const r = await ops.ListUnitRows({ node: 'n1', fields: ['name'], filter: 'b*' }, session.ctx);
    expect(r.nodes).toEqual([{ node: 'n1', rows: [['bb.service']], widths: [10], total: 2 }]);
    expect(calls.map((c) => c.method)).toEqual(['ListUnitRows', 'ListUnits']);
  });

  it('refuses rows that do not fit the fields, naming the node', async () => {
    const { ops, session } = setup(() => ({ rows: [['a', 'b']], widths: [1], total: 1 }));
    await expect(ops.ListUnitRows({ node: 'n1', fields: ['name'] }, session.ctx)).rejects.toMatchObject({
      code: 'INVALID_RESULT',
      message: 'invalid result for ListUnitRows from node n1: rows of 2 cells for 1 fields',
    });
  });

  it('fails for an unknown or offline node as the other node requests do', async () => {
    const { ops, session } = setup();
    await expect(ops.ListUnitRows({ node: 'n4', fields: ['name'] }, session.ctx)).rejects.toMatchObject({ code: 'NODE_OFFLINE' });
    await expect(ops.ListUnitRows({ node: 'nope', fields: ['name'] }, session.ctx)).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
  });
});
