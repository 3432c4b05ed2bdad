/**
 * Mesos' v1 messages as the adapter reads and writes them: the canonical JSON of
 * codec.ts (enums by name, bytes in base64), declared for the fields the adapter uses.
 * Objects of these types come only out of `decodeMessage`, which has checked each field
 * present against Mesos' definitions, or are built here to be written.
 */

/** `{ value }` identifiers (FrameworkID, OfferID, AgentID, TaskID, ExecutorID). */
export interface MesosId {
  value: string;
}

/** `Labels`. */
export interface MesosLabels {
  labels?: { key: string; value?: string }[];
}

/** `Resource.ReservationInfo`. */
export interface MesosReservation {
  type?: 'UNKNOWN' | 'STATIC' | 'DYNAMIC';
  role?: string;
  principal?: string;
  labels?: MesosLabels;
}

/** `Resource`. */
export interface MesosResource {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  scalar?: { value: number };
  ranges?: { range?: { begin: number; end: number }[] };
  set?: { item?: string[] };
  role?: string;
  allocation_info?: { role?: string };
  reservation?: MesosReservation;
  reservations?: MesosReservation[];
  provider_id?: MesosId;
  disk?: object;
  revocable?: object;
  shared?: object;
}

/** `Attribute`. */
export interface MesosAttribute {
  name: string;
  type: 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
  text?: { value: string };
  scalar?: { value: number };
  ranges?: { range?: { begin: number; end: number }[] };
  set?: { item?: string[] };
}

/** `CommandInfo`. */
export interface MesosCommand {
  uris?: {
    value: string;
    executable?: boolean;
    extract?: boolean;
    cache?: boolean;
    output_file?: string;
  }[];
  environment?: {
    variables?: {
      name: string;
      type?: 'UNKNOWN' | 'VALUE' | 'SECRET';
      value?: string;
      secret?: object;
    }[];
  };
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

/** `HealthCheck`. */
export interface MesosHealthCheck {
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
  type?: 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';
  command?: MesosCommand;
  http?: { scheme?: string; port: number; path?: string; statuses?: number[] };
  tcp?: { port: number };
}

/** `TaskInfo`. */
export interface MesosTaskInfo {
  name: string;
  task_id: MesosId;
  agent_id: MesosId;
  resources?: MesosResource[];
  /** An `ExecutorInfo`: refused in a LAUNCH, compared to the group's in a LAUNCH_GROUP. */
  executor?: object;
  command?: MesosCommand;
  container?: object;
  health_check?: MesosHealthCheck;
  check?: object;
  kill_policy?: { grace_period?: { nanoseconds: number } };
  data?: string;
  labels?: MesosLabels;
  discovery?: object;
  max_completion_time?: object;
  limits?: Record<string, { value: number }>;
}

/** `ExecutorInfo`. */
export interface MesosExecutorInfo {
  type?: 'UNKNOWN' | 'DEFAULT' | 'CUSTOM';
  executor_id: MesosId;
  framework_id?: MesosId;
  command?: MesosCommand;
  container?: object;
  resources?: MesosResource[];
  name?: string;
  source?: string;
  data?: string;
  discovery?: object;
  shutdown_grace_period?: { nanoseconds: number };
  labels?: MesosLabels;
}

/** `Offer.Operation`. */
export interface MesosOperation {
  type?: string;
  id?: MesosId;
  launch?: { task_infos?: MesosTaskInfo[] };
  launch_group?: { executor: MesosExecutorInfo; task_group: { tasks?: MesosTaskInfo[] } };
  reserve?: { source?: MesosResource[]; resources?: MesosResource[] };
  unreserve?: { resources?: MesosResource[] };
}

/** `FrameworkInfo`. */
export interface MesosFrameworkInfo {
  user: string;
  name: string;
  id?: MesosId;
  failover_timeout?: number;
  checkpoint?: boolean;
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type?: string }[];
  labels?: MesosLabels;
  offer_filters?: Record<string, object>;
}

/** `Filters`. */
export interface MesosFilters {
  refuse_seconds?: number;
}

/** `scheduler.Call`. */
export interface MesosCall {
  framework_id?: MesosId;
  type?: string;
  subscribe?: {
    framework_info: MesosFrameworkInfo;
    suppressed_roles?: string[];
    offer_constraints?: object;
  };
  accept?: { offer_ids?: MesosId[]; operations?: MesosOperation[]; filters?: MesosFilters };
  decline?: { offer_ids?: MesosId[]; filters?: MesosFilters };
  revive?: { roles?: string[] };
  suppress?: { roles?: string[] };
  kill?: {
    task_id: MesosId;
    agent_id?: MesosId;
    kill_policy?: { grace_period?: { nanoseconds: number } };
  };
  shutdown?: { executor_id: MesosId; agent_id: MesosId };
  acknowledge?: { agent_id: MesosId; task_id: MesosId; uuid: string };
  reconcile?: { tasks?: { task_id: MesosId; agent_id?: MesosId }[] };
  message?: { agent_id: MesosId; executor_id: MesosId; data: string };
  request?: { requests?: object[] };
  update_framework?: {
    framework_info: MesosFrameworkInfo;
    suppressed_roles?: string[];
    offer_constraints?: object;
  };
}

/** `TaskStatus`. */
export interface MesosTaskStatus {
  task_id: MesosId;
  state: string;
  message?: string;
  source?: string;
  reason?: string;
  agent_id?: MesosId;
  executor_id?: MesosId;
  timestamp?: number;
  uuid?: string;
  healthy?: boolean;
  labels?: MesosLabels;
}

/** `Offer`. */
export interface MesosOffer {
  id: MesosId;
  framework_id: MesosId;
  agent_id: MesosId;
  hostname: string;
  resources: MesosResource[];
  attributes: MesosAttribute[];
  executor_ids: MesosId[];
  allocation_info?: { role: string };
}

/** `scheduler.Event`. */
export interface MesosEvent {
  type: string;
  subscribed?: {
    framework_id: MesosId;
    heartbeat_interval_seconds: number;
    master_info?: { id: string; ip: number; port: number; hostname?: string; version?: string };
  };
  offers?: { offers: MesosOffer[] };
  rescind?: { offer_id: MesosId };
  update?: { status: MesosTaskStatus };
  message?: { agent_id: MesosId; executor_id: MesosId; data: string };
  failure?: { agent_id?: MesosId; executor_id?: MesosId; status?: number };
  error?: { message: string };
}
