/** A typed in-process signal: listeners are called synchronously, in order; a throwing one does not stop the rest. */
export class Signal<T> {
  private readonly listeners = new Set<(value: T) => void>()

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Adds a listener; returns the function that removes it. */
  on(listener: (value: T) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  emit(value: T): void {
    for (const l of this.listeners) {
      try {
        l(value)
      } catch (err) {
        this.onError(err)
      }
    }
  }
}
