// One wasm runtime per process, loaded on first use: a failed load is retried by the next call,
// and a runtime discarded after a trap (its heap cannot be trusted) is reloaded.

export class LazyRuntime<T> {
  private current: Promise<T> | undefined;
  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    this.current ??= this.load();
    const loading = this.current;
    loading.catch(() => {
      if (this.current === loading) this.current = undefined;
    });
    return loading;
  }

  /** Forgets `rt` if it is still the loaded runtime; the next get() reloads. */
  discard(rt: T): void {
    void this.current?.then((loaded) => {
      if (loaded === rt) this.current = undefined;
    });
  }
}
