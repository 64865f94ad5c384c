/** Counts calls in flight so a shutdown can let them finish (bounded) before the process exits. */
export class Inflight {
  private count = 0;
  private idle: Array<() => void> = [];

  /** Calls currently running. */
  get size(): number {
    return this.count;
  }

  /** Run `fn` as one tracked call. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    const done = this.enter();
    try {
      return await fn();
    } finally {
      done();
    }
  }

  /** Count one call in; the returned function counts it out (once). */
  enter(): () => void {
    this.count++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      if (--this.count === 0) for (const wake of this.idle.splice(0)) wake();
    };
  }

  /** Resolve true once nothing is in flight, or false after `ms`. */
  drain(ms: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
