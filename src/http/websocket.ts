import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type SubscribePayload } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authentication } from '../auth/authenticator.js';
import type { Viewer } from '../core/viewer.js';
import { StoreUnavailableError } from '../store/call-store.js';
import { GRAPHQL_PATH, type GraphQLServer } from './graphql-server.js';
import { REQUIRED_MESSAGE, type PersistedDocuments } from './persisted-documents.js';
import { UNAVAILABLE_MESSAGE } from './reply.js';
import { MAX_BODY_BYTES } from './request-body.js';
import { REVOKED_REASON, type CredentialWatch } from './credential-watch.js';
import type { StreamCounter } from './stream-limits.js';

/** What one WebSocket connection may do; each is configurable (config.ts). */
export interface WebSocketLimits {
  /** Subscriptions open at once on one connection; one more is refused with an error for that operation. */
  maxSubscriptionsPerConnection: number;
  /** How often the server pings; a socket that has not answered by the next ping is terminated. */
  pingIntervalMs: number;
  /** The largest message a client may send (ws closes the connection with 1009 beyond it). */
  maxMessageBytes: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = { maxSubscriptionsPerConnection: 20, pingIntervalMs: 15_000, maxMessageBytes: MAX_BODY_BYTES };

/** Close codes beside graphql-ws's own (4403 Forbidden, 4500, ...). */
export const WS_CLOSE = {
  shuttingDown: 1001,
  tryAgainLater: 1013,
  throttled: CloseCode.TooManyInitialisationRequests,
  forbidden: CloseCode.Forbidden,
} as const;

export const CLOSE_REASON = {
  shuttingDown: 'Server shutting down',
  unauthenticated: 'Authentication required: send {"Authorization": "Basic …" or "Bearer …"} in connection_init',
  ...REVOKED_REASON,
} as const;

export interface WebSocketDeps {
  graphql: GraphQLServer;
  /** The app's credential check for one Authorization value, with the client's address for login throttling. */
  authenticate: (authorization: string | null, req: IncomingMessage) => Promise<Authentication | StoreUnavailableError>;
  logger: Logger;
  limits: WebSocketLimits;
  /** Open streams per API user, shared with the other transports. */
  streams: StreamCounter;
  /** Checks each connection's credentials again while it is open, shared with the other transports. */
  credentials: CredentialWatch;
  /** Browser origins allowed besides the server's own (CORS_ORIGINS). */
  corsOrigins: readonly string[];
  persistedDocuments: PersistedDocuments | null;
  development: boolean;
}

interface Connection {
  socket: WebSocket;
  request: IncomingMessage;
  authorization: string;
  viewer: Viewer;
  /** Open subscriptions by operation id, each with the function that gives its per-user slot back. */
  subscriptions: Map<string, () => void>;
  /** Closed or closing: an operation still being prepared must not take a slot it would never give back. */
  closed: boolean;
  /** Stops checking its credentials again. */
  unwatch: () => void;
}

/** yoga's plugins read a Fetch request: an operation over a connection counts as a POST (mutations allowed; the origin was checked at the upgrade). */
const CONNECTION_REQUEST = new Request(`http://localhost${GRAPHQL_PATH}`, { method: 'POST' });

const operationError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

/** The connection_init payload's Authorization, its key in any case. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  for (const [key, value] of Object.entries(params)) if (key.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  return null;
}

/** A trusted document's id: `documentId` beside the query, or Apollo's and urql's `extensions.persistedQuery.sha256Hash`. */
function documentIdOf(payload: SubscribePayload): string | null {
  const id = (payload as { documentId?: unknown }).documentId;
  if (typeof id === 'string' && id !== '') return id;
  const persisted = payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof persisted?.sha256Hash === 'string' && persisted.sha256Hash !== '' ? persisted.sha256Hash : null;
}

/** Answers an upgrade request that will not become a WebSocket with a plain HTTP response and ends the socket. */
function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.on('error', () => {});
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

/**
 * GraphQL over WebSocket (graphql-ws, subprotocol graphql-transport-ws) on
 * /graphql. Every operation goes through yoga's envelop as an HTTP request
 * does: the armor limits, depth and cost, masking, trusted documents and
 * the GraphQL context with the connection's viewer (channel graphql).
 * Credentials come with connection_init (or the upgrade's own Authorization
 * header) and are checked again every few seconds, so a revoked token, a
 * disabled user or a changed password closes the connection.
 */
export function createWebSocketGateway(deps: WebSocketDeps) {
  const { graphql, logger, limits, streams } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, handleProtocols });
  const connections = new Map<WebSocket, Connection>();
  const enveloped = new WeakMap<object, ReturnType<GraphQLServer['getEnveloped']>>();
  let accepting = true;

  /** A browser page from an origin not allowed could otherwise ride on the user's stored Basic credentials. */
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined || deps.corsOrigins.includes(origin)) return true;
    return URL.canParse(origin) && new URL(origin).host === req.headers.host;
  };

  function releaseAll(connection: Connection): void {
    connection.closed = true;
    connection.unwatch();
    for (const release of connection.subscriptions.values()) release();
    connection.subscriptions.clear();
  }

  /** Parses, validates and builds the context of one operation, or answers the errors that refuse it. */
  async function prepare(connection: Connection, id: string, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
    let query = payload.query;
    const documents = deps.persistedDocuments;
    if (documents) {
      const documentId = documentIdOf(payload);
      if (documentId !== null) {
        const text = documents.get(documentId);
        if (text === null) return [operationError('Unknown documentId: no trusted document has this id (PERSISTED_DOCUMENTS)', 'PERSISTED_QUERY_NOT_FOUND')];
        query = text;
      } else if (documents.mode === 'require' && connection.viewer.role !== 'admin') {
        return [operationError(REQUIRED_MESSAGE, 'PERSISTED_DOCUMENT_REQUIRED')];
      }
    }
    const params = { query, operationName: payload.operationName ?? null, variables: payload.variables ?? null, extensions: payload.extensions ?? null };
    // The viewer is the connection's; `after` (not Last-Event-ID) resumes a stream.
    const initialContext = { request: CONNECTION_REQUEST, req: connection.request, socket: connection.socket, params, viewer: connection.viewer };
    const envelope = graphql.getEnveloped(initialContext as never);
    let document: DocumentNode;
    try {
      document = envelope.parse(query);
      const errors = envelope.validate(envelope.schema, document);
      if (errors.length > 0) return errors;
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    const contextValue = (await envelope.contextFactory()) as object;
    if (connection.closed) return [operationError('The connection is closing', 'CONNECTION_CLOSED')];
    if (getOperationAST(document, payload.operationName)?.operation === 'subscription') {
      if (connection.subscriptions.size >= limits.maxSubscriptionsPerConnection) {
        return [
          operationError(
            `Too many subscriptions on this connection: at most ${limits.maxSubscriptionsPerConnection} (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one first`,
            'SUBSCRIPTION_LIMIT_EXCEEDED',
          ),
        ];
      }
      const release = streams.open(connection.viewer.userId);
      if (!release) {
        return [
          operationError(
            `Too many open subscriptions for this API user: at most ${streams.maxPerUser} (SUBSCRIPTIONS_MAX_PER_USER); complete one first`,
            'SUBSCRIPTION_LIMIT_EXCEEDED',
          ),
        ];
      }
      connection.subscriptions.set(id, release);
    }
    enveloped.set(contextValue, envelope);
    return { schema: envelope.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
  }

  const envelopeOf = (args: ExecutionArgs) => enveloped.get(args.contextValue as object)!;

  const server = makeServer<Record<string, unknown>, { socket: WebSocket; request: IncomingMessage }>(
    {
      execute: (args) => envelopeOf(args).execute(args) as never,
      subscribe: (args) => envelopeOf(args).subscribe(args) as never,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const authorization = authorizationOf(ctx.connectionParams) ?? request.headers.authorization ?? null;
        const outcome = await deps.authenticate(authorization, request);
        // Gone while its credentials were checked: onClose has run already, so nothing may be registered now.
        if (socket.readyState !== socket.OPEN) return false;
        if (outcome instanceof StoreUnavailableError) {
          logger.warn({ err: outcome }, 'database unavailable');
          socket.close(WS_CLOSE.tryAgainLater, UNAVAILABLE_MESSAGE);
          return false;
        }
        if (outcome.kind === 'throttled') {
          socket.close(WS_CLOSE.throttled, `Too many failed logins; retry in ${outcome.retryAfterSeconds} seconds`);
          return false;
        }
        if (outcome.kind === 'refused' || !authorization) {
          socket.close(WS_CLOSE.forbidden, CLOSE_REASON.unauthenticated);
          return false;
        }
        if (!accepting) {
          socket.close(WS_CLOSE.shuttingDown, CLOSE_REASON.shuttingDown);
          return false;
        }
        const connection: Connection = { socket, request, authorization, viewer: outcome.viewer, subscriptions: new Map(), closed: false, unwatch: () => {} };
        connection.unwatch = deps.credentials.watch({
          authorization,
          request,
          viewer: outcome.viewer,
          end: (reason) => {
            if (!connections.delete(socket)) return;
            releaseAll(connection);
            socket.close(WS_CLOSE.forbidden, reason);
          },
        });
        connections.set(socket, connection);
        return true;
      },
      onSubscribe(ctx, id, payload) {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return [operationError('Authentication required', 'UNAUTHENTICATED')];
        return prepare(connection, id, payload);
      },
      onComplete(ctx, id) {
        const connection = connections.get(ctx.extra.socket);
        connection?.subscriptions.get(id)?.();
        connection?.subscriptions.delete(id);
      },
      onClose(ctx) {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return;
        releaseAll(connection);
        connections.delete(ctx.extra.socket);
      },
    },
  );

  // graphql-ws's own `useServer` for ws, with errors going to our log and one ping timer for all sockets.
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
    // ws closes the socket itself after a protocol error (1009 for a message over maxPayload).
    socket.on('error', (error) => logger.warn({ error: error.message }, 'WebSocket protocol error'));
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            try {
              await handle(String(data));
            } catch (error) {
              logger.error({ err: error }, 'unexpected error serving a WebSocket message');
              socket.close(CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => void closed(code, String(reason)));
    startHeartbeat();
  });

  let heartbeat: NodeJS.Timeout | null = null;
  /** Pings every socket each interval; one that has not answered the previous ping is dropped. */
  function startHeartbeat(): void {
    if (heartbeat) return;
    heartbeat = setInterval(() => {
      if (wss.clients.size === 0) return stopHeartbeat();
      for (const socket of wss.clients) {
        if (!alive.has(socket)) {
          socket.terminate();
          continue;
        }
        alive.delete(socket);
        socket.ping();
      }
    }, limits.pingIntervalMs);
    heartbeat.unref();
  }
  function stopHeartbeat(): void {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  }

  return {
    /** The HTTP server's `upgrade` listener: /graphql becomes a WebSocket, anything else is answered and closed. */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const pathname = (req.url ?? '/').split('?', 1)[0];
      if (pathname !== GRAPHQL_PATH) return refuseUpgrade(socket, 404, `WebSocket connections are served on ${GRAPHQL_PATH} only`);
      if (!accepting) return refuseUpgrade(socket, 503, CLOSE_REASON.shuttingDown);
      if (!originAllowed(req)) return refuseUpgrade(socket, 403, 'This origin may not connect (CORS_ORIGINS)');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    /** Open WebSocket connections, authenticated or not. */
    connectionCount: () => wss.clients.size,
    /** Closes every connection with 1001 and stops accepting new ones; resolves once all are closed. */
    close(): Promise<void> {
      accepting = false;
      stopHeartbeat();
      for (const socket of wss.clients) socket.close(WS_CLOSE.shuttingDown, CLOSE_REASON.shuttingDown);
      return new Promise((resolve) => wss.close(() => resolve()));
    },
    /** Drops every connection that is still open (past the shutdown deadline). */
    terminate(): void {
      for (const socket of wss.clients) socket.terminate();
    },
  };
}

export type WebSocketGateway = ReturnType<typeof createWebSocketGateway>;
