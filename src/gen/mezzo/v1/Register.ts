// Original file: proto/mezzo/v1/agent.proto

import type { AgentInfo as _mezzo_v1_AgentInfo, AgentInfo__Output as _mezzo_v1_AgentInfo__Output } from '../../mezzo/v1/AgentInfo.js';

export interface Register {
  'agent_info'?: (_mezzo_v1_AgentInfo | null);
}

export interface Register__Output {
  'agent_info': (_mezzo_v1_AgentInfo__Output | null);
}
