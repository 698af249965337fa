/** The controller's end of one agent link, typed by the protocol catalogue. */
import {
  AgentMethods,
  AgentSignals,
  ControllerMethods,
  ControllerSignals,
  RpcPeer,
} from '@bluechi-ts/protocol';

export type AgentPeer = RpcPeer<typeof AgentMethods, typeof ControllerSignals, typeof ControllerMethods, typeof AgentSignals>;

export const AGENT_LINK_TABLES = {
  outgoing: { methods: AgentMethods, signals: ControllerSignals },
  incoming: { methods: ControllerMethods, signals: AgentSignals },
} as const;
