import { rebuildProjection } from '@lib/projection';
import { runProjectionTool } from './projection-tool';

/** `npm run projection:rebuild`: drop the projection and replay the log from offset 0 (projectors stopped). */
runProjectionTool('projection:rebuild', async (dataSource, eventLog, options) => {
  const result = await rebuildProjection(dataSource, eventLog, options);
  process.stdout.write(
    `rebuilt from ${result.events} events in ${result.seconds.toFixed(1)} s (${Math.round(result.events / Math.max(result.seconds, 1e-3))} events/s)\n`,
  );
  return 0;
});
