import { fork, type ChildProcess } from 'node:child_process';
import type { CpuSeconds, TaskName, TaskParams, TaskReply, TaskResult } from './protocol';

export interface TaskOutcome<T> {
  readonly result: T;
  readonly cpu: CpuSeconds;
  readonly wallSeconds: number;
}

/** The orchestrator's handle on the load generator process. */
export class LoadGenerator {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: TaskReply) => void; reject: (error: Error) => void }>();
  /** CPU seconds the load generator reported over all tasks. */
  cpuTotal = 0;

  constructor(script: string) {
    this.child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.child.on('message', (reply: TaskReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load generator exited with ${code}`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  async run<K extends TaskName>(task: K, params: TaskParams<K>): Promise<TaskOutcome<TaskResult<K>>> {
    const id = this.nextId++;
    const reply = await new Promise<TaskReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, task, params });
    });
    this.cpuTotal += reply.cpu.user + reply.cpu.system;
    if (!reply.ok) throw new Error(`load generator task ${task} failed: ${reply.error}`);
    return { result: reply.result as TaskResult<K>, cpu: reply.cpu, wallSeconds: reply.wallSeconds };
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }
}
