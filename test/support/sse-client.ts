/**
 * A GraphQL over SSE client as a browser's fetch-based one works: a POST
 * with `Accept: text/event-stream`, the body read as it arrives and split
 * into events (`event:` and `data:` lines; `:` lines are pings).
 */
export interface SseSubscription {
  status: number;
  /** The next `next` event's payload; fails after `timeoutMs` without one. */
  next<T = any>(timeoutMs?: number): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Resolves true if no event arrives within `ms`. */
  quietFor(ms: number): Promise<boolean>;
  /** Resolves when the server sends `complete` (or the stream ends without it: `end`). */
  completed: Promise<'complete' | 'end'>;
  close(): void;
}

export async function subscribeSse(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string>,
): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  const queue: string[] = [];
  let notify = null as (() => void) | null;
  let finish = (_how: 'complete' | 'end') => {};
  const completed = new Promise<'complete' | 'end'>((resolve) => (finish = resolve));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (event === 'complete') finish('complete');
          else if (event === 'next' || (!event && data)) {
            queue.push(data);
            notify?.();
          }
        }
      }
    } catch {
      // aborted
    }
    finish('end');
    notify?.();
  })();

  const waitForEvent = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (queue.length > 0) return resolve(true);
      const timer = setTimeout(() => resolve(false), ms);
      notify = () => {
        clearTimeout(timer);
        notify = null;
        resolve(queue.length > 0);
      };
    });

  return {
    status: response.status,
    async next(timeoutMs = 5000) {
      if (!(await waitForEvent(timeoutMs))) throw new Error(`no event within ${timeoutMs} ms`);
      return JSON.parse(queue.shift()!);
    },
    async quietFor(ms) {
      return !(await waitForEvent(ms));
    },
    completed,
    close: () => abort.abort(),
  };
}
