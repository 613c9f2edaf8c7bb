/** Resolves like `promise`, or rejects with a TimeoutError after `ms` (the timer never outlives the race). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DOMException(`${what} timed out after ${ms} ms`, "TimeoutError")),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
