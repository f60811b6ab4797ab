import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export interface Fingerprint {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly etcd: string;
  readonly kafka: string;
  readonly postgres: string;
  readonly packages: Record<string, string>;
  readonly git: string;
  readonly registryRoot: string;
}

const quiet = (command: string, args: readonly string[], cwd?: string): string => {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
};

const packageVersion = (root: string, name: string): string => {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
};

/** Kafka's version from the jars kafka:up resolved (the broker is the project's own). */
const kafkaVersion = (root: string): string => {
  const file = join(root, '.kafka', 'classpath.txt');
  if (!existsSync(file)) return 'unknown';
  return /kafka_[\d.]+-([\d.]+)\.jar/.exec(readFileSync(file, 'utf8'))?.[1] ?? 'unknown';
};

export const fingerprint = (root: string, registryRoot: string, postgresVersion: string): Fingerprint => {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const status = quiet('git', ['status', '--porcelain'], registryRoot);
  return {
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? os.type(),
    kernel: os.release(),
    node: process.version,
    etcd: /etcd Version: (\S+)/.exec(quiet('etcd', ['--version']))?.[1] ?? 'unknown',
    kafka: kafkaVersion(root),
    postgres: postgresVersion,
    registryRoot,
    packages: Object.fromEntries(['etcd3', 'kafkajs', 'pg', 'graphql-ws', 'ws', 'typeorm', '@nestjs/core'].map((name) => [name, packageVersion(root, name)])),
    git: registryRoot === root
      ? `${quiet('git', ['rev-parse', '--short', 'HEAD'], root)}${status && status !== 'unknown' ? ' (uncommitted changes)' : ''}`
      : `registry under test: ${registryRoot}`,
  };
};
