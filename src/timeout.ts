/**
 * Races a promise against a timer: rejects with "<what> did not answer within N ms" when the timer wins,
 * and always clears the timer (an unref'd timer never keeps a process alive). The one copy for the
 * readiness checks, the queue depths page and the start-up reachability check. The promise itself is not
 * cancelled: pass an AbortSignal to the work where it takes one.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what = 'no answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
