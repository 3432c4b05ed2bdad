// Original file: proto/mezzo/v1/agent.proto

import type { Resource as _mezzo_v1_Resource, Resource__Output as _mezzo_v1_Resource__Output } from '../../mezzo/v1/Resource.js';
import type { Attribute as _mezzo_v1_Attribute, Attribute__Output as _mezzo_v1_Attribute__Output } from '../../mezzo/v1/Attribute.js';

export interface AgentInfo {
  /**
   * Empty on first registration; the controller assigns one that the agent persists.
   */
  'id'?: (string);
  'hostname'?: (string);
  /**
   * The Kubernetes node this agent runs on, when it runs in a cluster.
   */
  'node_name'?: (string);
  'resources'?: (_mezzo_v1_Resource)[];
  'attributes'?: (_mezzo_v1_Attribute)[];
  /**
   * Where the agent serves its own metrics and sandbox files.
   */
  'address'?: (string);
  'version'?: (string);
  /**
   * The Unix user a task runs as when neither it nor its framework names one (the agent's
   * --user); the controller authorizes launches as this user. Empty: "nobody".
   */
  'default_user'?: (string);
  /**
   * The largest ControllerMessage batch (serialized bytes) this agent reads; 0: it reads
   * none (an agent from before batches), and the controller sends every message alone.
   */
  'max_batch_bytes'?: (number);
  /**
   * The agent writes the live status (TASK_STARTING, TASK_RUNNING) of the Task objects
   * of its tasks itself, with its own apiserver credentials (--write-task-status); a
   * controller with --agent-status-writes then grants it each such task and leaves those
   * writes to it. False: the controller writes every state.
   */
  'writes_task_status'?: (boolean);
}

export interface AgentInfo__Output {
  /**
   * Empty on first registration; the controller assigns one that the agent persists.
   */
  'id': (string);
  'hostname': (string);
  /**
   * The Kubernetes node this agent runs on, when it runs in a cluster.
   */
  'node_name': (string);
  'resources': (_mezzo_v1_Resource__Output)[];
  'attributes': (_mezzo_v1_Attribute__Output)[];
  /**
   * Where the agent serves its own metrics and sandbox files.
   */
  'address': (string);
  'version': (string);
  /**
   * The Unix user a task runs as when neither it nor its framework names one (the agent's
   * --user); the controller authorizes launches as this user. Empty: "nobody".
   */
  'default_user': (string);
  /**
   * The largest ControllerMessage batch (serialized bytes) this agent reads; 0: it reads
   * none (an agent from before batches), and the controller sends every message alone.
   */
  'max_batch_bytes': (number);
  /**
   * The agent writes the live status (TASK_STARTING, TASK_RUNNING) of the Task objects
   * of its tasks itself, with its own apiserver credentials (--write-task-status); a
   * controller with --agent-status-writes then grants it each such task and leaves those
   * writes to it. False: the controller writes every state.
   */
  'writes_task_status': (boolean);
}
