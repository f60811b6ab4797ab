import { verifyProjection } from '@lib/projection';
import { runProjectionTool } from './projection-tool';

/** `npm run projection:verify`: replay into a scratch schema and report every difference; exit 1 if any. */
runProjectionTool('projection:verify', async (dataSource, eventLog, options) => {
  const result = await verifyProjection(dataSource, eventLog, options);
  for (const d of result.differences) {
    process.stdout.write(`${d.problem.padEnd(14)} ${d.slice}${d.fields ? `: ${d.fields.join(', ')}` : ''}\n`);
  }
  process.stdout.write(
    `${result.slices} live slices checked against a replay of ${result.replay.events} events ` +
      `(${result.replay.seconds.toFixed(1)} s): ${result.differences.length === 0 ? 'identical' : `${result.differences.length} differences`}\n`,
  );
  return result.differences.length === 0 ? 0 : 1;
});
