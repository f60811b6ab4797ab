import type { etcdPut, etcdRange, etcdWatch } from '../tasks/etcd';
import type { etcdLeaseKeepAlive, etcdLeaseSetup, expiryLatency, heartbeatLoop, registerLeased } from '../tasks/leases';
import type { pgMultiRowUpsert, pgSliceUpsert } from '../tasks/postgres';
import type { churn, fanout, holdSubscribers, readSlices, registerBulk, registerInto, registerServices, registerSingle, releaseSubscribers } from '../tasks/registry';

/** Every task the load generator runs: name -> implementation (for its parameter and result types). */
export interface TaskTable {
  etcdPut: typeof etcdPut;
  etcdRange: typeof etcdRange;
  etcdWatch: typeof etcdWatch;
  pgSliceUpsert: typeof pgSliceUpsert;
  pgMultiRowUpsert: typeof pgMultiRowUpsert;
  registerServices: typeof registerServices;
  registerSingle: typeof registerSingle;
  registerBulk: typeof registerBulk;
  registerInto: typeof registerInto;
  churn: typeof churn;
  readSlices: typeof readSlices;
  fanout: typeof fanout;
  holdSubscribers: typeof holdSubscribers;
  releaseSubscribers: typeof releaseSubscribers;
  etcdLeaseSetup: typeof etcdLeaseSetup;
  etcdLeaseKeepAlive: typeof etcdLeaseKeepAlive;
  registerLeased: typeof registerLeased;
  heartbeatLoop: typeof heartbeatLoop;
  expiryLatency: typeof expiryLatency;
}

export type TaskName = keyof TaskTable;
export type TaskParams<K extends TaskName> = Parameters<TaskTable[K]>[0];
export type TaskResult<K extends TaskName> = Awaited<ReturnType<TaskTable[K]>>;

export interface TaskRequest {
  readonly id: number;
  readonly task: TaskName;
  readonly params: unknown;
}

export interface CpuSeconds {
  readonly user: number;
  readonly system: number;
}

export interface TaskReply {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
  /** The load generator's own CPU while the task ran. */
  readonly cpu: CpuSeconds;
  readonly wallSeconds: number;
}
