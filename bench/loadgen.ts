import { performance } from 'node:perf_hooks';
import type { TaskReply, TaskRequest, TaskTable } from './lib/protocol';
import { etcdPut, etcdRange, etcdWatch } from './tasks/etcd';
import { etcdLeaseKeepAlive, etcdLeaseSetup, expiryLatency, heartbeatLoop, registerLeased } from './tasks/leases';
import { pgMultiRowUpsert, pgSliceUpsert } from './tasks/postgres';
import { churn, fanout, holdSubscribers, readSlices, registerBulk, registerInto, registerServices, registerSingle, releaseSubscribers } from './tasks/registry';

/**
 * The load generator: a child process (child_process.fork) that runs one task at a time for the
 * orchestrator and reports its own CPU with each result, so a saturated client shows as such.
 */
const tasks: TaskTable = {
  etcdPut,
  etcdRange,
  etcdWatch,
  pgSliceUpsert,
  pgMultiRowUpsert,
  registerServices,
  registerSingle,
  registerBulk,
  registerInto,
  churn,
  readSlices,
  fanout,
  holdSubscribers,
  releaseSubscribers,
  etcdLeaseSetup,
  etcdLeaseKeepAlive,
  registerLeased,
  heartbeatLoop,
  expiryLatency,
};

const send = (reply: TaskReply): void => {
  process.send?.(reply);
};

process.on('message', (message: TaskRequest) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const finish = (outcome: { ok: boolean; result?: unknown; error?: string }) => {
    const cpu = process.cpuUsage(cpu0);
    send({ id: message.id, ...outcome, cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 }, wallSeconds: (performance.now() - t0) / 1000 });
  };
  const run = tasks[message.task] as (params: unknown) => Promise<unknown>;
  run(message.params).then(
    (result) => finish({ ok: true, result }),
    (error: unknown) => finish({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) }),
  );
});

process.on('disconnect', () => process.exit(0));
