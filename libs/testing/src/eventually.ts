/** Retries an assertion until it passes or the time is up; the last failure is the test's failure. */
export const eventually = async <T>(assertion: () => Promise<T> | T, timeoutMs = 15000, intervalMs = 50): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
};
