/**
 * Preloaded (-r) into a registry process started with --cpu-prof: Nest closes the app on SIGTERM
 * and then re-raises the signal, which would end the process before V8 writes the profile. With
 * this listener installed the re-raised signal exits normally, so the .cpuprofile is written.
 */
let received = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    received++;
    if (received > 1) process.exit(0);
    setTimeout(() => process.exit(0), 20_000).unref();
  });
}
