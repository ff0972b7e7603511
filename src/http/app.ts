import { GraphQLError } from 'graphql';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphQLContext } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import type { CallStore } from '../store/call-store.js';
import { Authenticator, CHALLENGE, type Viewer } from './auth.js';
import { graphiqlOptions } from './graphiql.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromNodeRequest, writeReply } from './node-rest.js';
import { fromFetchRequest, MAX_BODY_BYTES } from './request-body.js';
import { CALL_ROUTE, createRestCallRoutes } from './rest-calls.js';
import { restError, toResponse, unauthorized, unexpected, type RestReply, type RestRequest } from './rest-response.js';

export interface AppDeps {
  store: CallStore;
  clock?: () => Date;
  authenticator?: Authenticator;
  /** yoga's logger, or false for silence (tests). */
  logger?: YogaLogger | false;
  graphiql?: boolean;
}

const GRAPHQL_PATH = '/graphql';

const safeDecode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

const authenticationRequired = () =>
  new GraphQLError('Authentication required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'www-authenticate': CHALLENGE } } },
  });

/**
 * Builds the gateway: yoga serves /graphql (and GraphiQL), the REST shim
 * serves /api/v2, and both authenticate through the same GraphQL context.
 */
export function createApp(deps: AppDeps) {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());
  const authenticator = deps.authenticator ?? new Authenticator(store);
  const viewers = new WeakMap<Request, Viewer>();

  // /graphql authenticates before parsing, so an anonymous client learns nothing of the schema.
  const requireCredentials: Plugin = {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== GRAPHQL_PATH) return;
      const viewer = await authenticator.authenticate(request.headers.get('authorization'));
      if (viewer) viewers.set(request, viewer);
      else {
        endResponse(
          Response.json(
            { errors: [{ message: 'Authentication required', extensions: { code: 'UNAUTHENTICATED' } }] },
            { status: 401, headers: { 'www-authenticate': CHALLENGE } },
          ),
        );
      }
    },
  };

  const yoga = createYoga<object, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // The REST shim authenticates before reading a body and hands its viewer in; /graphql's comes from onRequest.
    context: async ({ request, viewer: known }: { request: Request | RestRequest; viewer?: Viewer }): Promise<GraphQLContext> => {
      const viewer =
        known ?? viewers.get(request as Request) ?? (await authenticator.authenticate(request.headers.get('authorization')));
      if (!viewer) throw authenticationRequired();
      return { store, viewer, clock };
    },
    // graphql-jit compiles each document once (cached by document) into a specialised executor.
    plugins: [requireCredentials, useGraphQlJit()],
    graphiql: deps.graphiql === false ? false : graphiqlOptions,
    renderGraphiQL,
    maskedErrors: true,
    cors: false,
    landingPage: false,
    batching: false,
    multipart: false,
    maxRequestBodySize: MAX_BODY_BYTES,
    logging: deps.logger ?? 'info',
  });

  const calls = createRestCallRoutes(yoga as never);
  const log = yoga.logger;

  async function route(request: RestRequest): Promise<RestReply> {
    const viewer = await authenticator.authenticate(request.headers.get('authorization'));
    if (!viewer) return unauthorized();
    const pathname = new URL(request.url).pathname;
    const match = CALL_ROUTE.exec(pathname);
    if (!match) return restError(404, 'NotFound', 'No such resource');
    const callId = safeDecode(match[1]!);
    switch (request.method) {
      case 'GET':
        return calls.get(request, viewer, callId);
      case 'PUT':
        return calls.put(request, viewer, callId);
      default:
        return restError(405, 'MethodNotAllowed', `${request.method} is not allowed here; use GET or PUT`, { allow: 'GET, PUT' });
    }
  }

  /** Every REST answer comes from here: an unexpected failure is logged with its stack and answered 500 without it. */
  async function handleRest(request: RestRequest): Promise<RestReply> {
    try {
      return await route(request);
    } catch (error) {
      log.error(error);
      return unexpected();
    }
  }

  const isRest = (path: string) => path.startsWith('/api/');

  /** The Fetch API entry, for tests and any Fetch-based host. */
  async function fetch(request: Request): Promise<Response> {
    if (!isRest(new URL(request.url).pathname)) return yoga.fetch(request);
    return toResponse(await handleRest(fromFetchRequest(request)));
  }

  /**
   * The Node entry: REST requests go straight to the shim (no Fetch objects);
   * everything else is yoga's, through its own HTTP adapter.
   */
  function handleNode(req: IncomingMessage, res: ServerResponse): void {
    if (!isRest(req.url ?? '/')) {
      void yoga(req, res);
      return;
    }
    void handleRest(fromNodeRequest(req)).then((reply) => writeReply(res, reply));
  }

  return { fetch, handleNode, yoga };
}

export type App = ReturnType<typeof createApp>;
