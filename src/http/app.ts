import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaLogger } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { CredentialFactory, GraphQLContext } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import type { CallStore } from '../store/call-store.js';
import { Authenticator, CHALLENGE, type Viewer } from './auth.js';
import { hashApiToken, hashPassword, newApiToken } from './credentials.js';
import { graphiqlOptions } from './graphiql.js';
import { MAX_BODY_BYTES } from './request-body.js';
import { CALL_ROUTE, createRestCallRoutes } from './rest-calls.js';
import { createRestCustomFieldRoutes, CUSTOM_FIELD_ROUTE, CUSTOM_FIELDS_ROUTE } from './rest-custom-fields.js';
import { restError, unauthorized, unexpected } from './rest-response.js';

export interface AppDeps {
  store: CallStore;
  clock?: () => Date;
  authenticator?: Authenticator;
  /** yoga's logger, or false for silence (tests). */
  logger?: YogaLogger | false;
  graphiql?: boolean;
  credentials?: CredentialFactory;
}

const realCredentials: CredentialFactory = {
  hashPassword: (password) => hashPassword(password),
  newApiToken: () => {
    const secret = newApiToken();
    return { secret, hash: hashApiToken(secret) };
  },
};

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
  const credentials = deps.credentials ?? realCredentials;
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
    context: async ({ request }: { request: Request }): Promise<GraphQLContext> => {
      const viewer = viewers.get(request) ?? (await authenticator.authenticate(request.headers.get('authorization')));
      if (!viewer) throw authenticationRequired();
      return { store, viewer, clock, credentials };
    },
    plugins: [requireCredentials],
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
  const fields = createRestCustomFieldRoutes(yoga as never);
  const log = yoga.logger;

  /** The REST routes: a path pattern and a handler per method (405 with Allow for the others). */
  const routes: { pattern: RegExp; methods: Record<string, (request: Request, url: URL, id: string) => Promise<Response>> }[] = [
    { pattern: CALL_ROUTE, methods: { GET: (r, _u, id) => calls.get(r, id), PUT: (r, _u, id) => calls.put(r, id) } },
    { pattern: CUSTOM_FIELDS_ROUTE, methods: { GET: (r) => fields.list(r), POST: (r, u) => fields.create(r, u) } },
    {
      pattern: CUSTOM_FIELD_ROUTE,
      methods: { GET: (r, _u, id) => fields.get(r, id), PUT: (r, u, id) => fields.update(r, u, id), DELETE: (r, u, id) => fields.remove(r, u, id) },
    },
  ];

  async function handleRest(request: Request, url: URL): Promise<Response> {
    const viewer = await authenticator.authenticate(request.headers.get('authorization'));
    if (!viewer) return unauthorized();
    viewers.set(request, viewer);
    for (const { pattern, methods } of routes) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      const handler = methods[request.method];
      if (handler) return handler(request, url, safeDecode(match[1] ?? ''));
      const allowed = Object.keys(methods);
      const choice = `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}`;
      return restError(405, 'MethodNotAllowed', `${request.method} is not allowed here; use ${choice}`, { allow: allowed.join(', ') });
    }
    return restError(404, 'NotFound', 'No such resource');
  }

  async function fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/api/')) return yoga.fetch(request);
    try {
      return await handleRest(request, url);
    } catch (error) {
      log.error(error);
      return unexpected();
    }
  }

  return { fetch, yoga };
}

export type App = ReturnType<typeof createApp>;
