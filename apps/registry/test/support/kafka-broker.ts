import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from './built-processes';

const run = promisify(execFile);

/** The broker `npm run kafka:up` manages; a test that stops Kafka can only stop that one. */
export const MANAGED_BROKER = '127.0.0.1:9092';

export const brokerAnswers = (broker = MANAGED_BROKER): Promise<boolean> =>
  run(process.execPath, ['tools/kafka/wait-for-broker.js', broker], { cwd: ROOT, timeout: 30_000 }).then(
    () => true,
    () => false,
  );

const npmRun = async (script: 'kafka:down' | 'kafka:up'): Promise<void> => {
  try {
    await run('npm', ['run', script], { cwd: ROOT, timeout: 180_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${script} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
};

/** Stops the shared broker (other test runs on this machine see the outage too). */
export const stopBroker = async (): Promise<void> => {
  await npmRun('kafka:down');
  if (await brokerAnswers()) {
    throw new Error(`a broker still answers on ${MANAGED_BROKER} after npm run kafka:down: it was not started by npm run kafka:up`);
  }
};

export const startBroker = (): Promise<void> => npmRun('kafka:up');
