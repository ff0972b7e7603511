import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const CONTENT_LENGTH = /^\d+$/;

/**
 * The request headers as much of Fetch `Headers` as yoga's pipeline reads
 * (get, has, iteration), straight over Node's parsed headers.
 */
class NodeHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) callback(value, name);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw)) yield [name, this.get(name)!];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator]() {
    return this.entries();
  }
}

/**
 * A POST whose body Node has already read, as the Fetch `Request` yoga's
 * pipeline sees: the same method, URL, headers, text() and json() (with
 * @whatwg-node's error message for bad JSON). `body` is null because the
 * bytes are in hand: yoga's body-size limit wraps streams only, and the
 * Content-Length it checks was honoured when reading.
 */
class BufferedRequest {
  readonly body = null;
  readonly bodyUsed = false;
  readonly headers: NodeHeaders;

  constructor(
    readonly method: string,
    readonly url: string,
    req: IncomingMessage,
    private readonly bodyText: string,
  ) {
    this.headers = new NodeHeaders(req.headers);
  }

  text(): Promise<string> {
    return Promise.resolve(this.bodyText);
  }

  json(): Promise<unknown> {
    try {
      return Promise.resolve(JSON.parse(this.bodyText));
    } catch (error) {
      if (error instanceof SyntaxError) error.message += `, "${this.bodyText}" is not valid JSON`;
      return Promise.reject(error);
    }
  }
}

/** The body of a request whose Content-Length was checked, as UTF-8 (as @whatwg-node reads it); null if the client went away first. */
function readDeclaredBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
    req.once('error', () => resolve(null));
  });
}

/** What the fast path needs of a yoga instance: its request handler (plugins, parse, execute, result processing). */
interface Yoga {
  handleRequest(request: Request, serverContext: { req: IncomingMessage; res: ServerResponse }): Response | Promise<Response>;
}

/**
 * The fast path for the common GraphQL request, `POST` with an
 * `application/json` body of a declared length within the limit: yoga's own
 * pipeline (every plugin, parser, validation, execution, result processor)
 * through `yoga.handleRequest`, without building a Fetch Request, its
 * AbortSignal and body streams from the Node request. Returns false, having
 * done nothing, for any other request: yoga's Node adapter serves those.
 */
export function createGraphQLFastPath(yoga: Yoga, maxBodyBytes: number, onUnexpected: (error: unknown, res: ServerResponse) => void) {
  return function serveFast(req: IncomingMessage, res: ServerResponse, url: string): boolean {
    if (req.method !== 'POST') return false;
    const contentType = req.headers['content-type'];
    const declared = req.headers['content-length'];
    if (!contentType || !JSON_CONTENT_TYPE.test(contentType) || !declared || !CONTENT_LENGTH.test(declared)) return false;
    if (Number(declared) > maxBodyBytes || req.headers['transfer-encoding'] !== undefined) return false;
    void readDeclaredBody(req)
      .then((text) => (text === null ? null : yoga.handleRequest(new BufferedRequest('POST', url, req, text) as unknown as Request, { req, res })))
      .then((response) => (response ? sendNodeResponse(response, res, req, true) : res.destroy()))
      .catch((error: unknown) => onUnexpected(error, res));
    return true;
  };
}
