/**
 * Open subscription streams per API user, across connections (and
 * transports): `open` takes a slot and answers the function that gives it
 * back, or null when the user already holds `maxPerUser`.
 */
export function createStreamCounter(maxPerUser: number) {
  const open = new Map<string, number>();
  return {
    maxPerUser,
    open(userId: string): (() => void) | null {
      const count = open.get(userId) ?? 0;
      if (count >= maxPerUser) return null;
      open.set(userId, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(userId) ?? 1) - 1;
        if (left > 0) open.set(userId, left);
        else open.delete(userId);
      };
    },
    openBy: (userId: string) => open.get(userId) ?? 0,
  };
}

export type StreamCounter = ReturnType<typeof createStreamCounter>;
