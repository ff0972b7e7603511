type Listener = (error: Error) => void;

const listeners = new Set<Listener>();

/** Subscribes to the expected errors resolvers return as result-union members (for metrics); returns the unsubscribe. */
export function onResolvedError(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyResolvedError(error: Error): void {
  for (const listener of listeners) listener(error);
}
