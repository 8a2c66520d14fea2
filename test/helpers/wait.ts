/** Waiting in tests: a pause, and polling until something holds. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` every `everyMs` until it returns something truthy, and returns that. */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Retries `attempt` every 100 ms until it resolves, and returns what it resolved to. */
export async function untilResolved<T>(what: string, attempt: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${(err as Error).message}`);
      await sleep(100);
    }
  }
}
