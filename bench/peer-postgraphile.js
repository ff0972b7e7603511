/**
 * The peer of `npm run bench -- --store pg --peer postgraphile`: PostGraphile
 * 4 as a library over callgate's PostgreSQL schema, its request handler in a
 * plain node:http server, in a process of its own so that its CPU can be
 * measured apart from callgate's.
 *
 * Options: no GraphiQL, dynamic JSON, the default CRUD mutations off, no
 * query log (PostGraphile's production advice; callgate logs every request at
 * info), no authentication, no JWT, no pgSettings (so a query runs as one
 * statement outside a transaction). The pool has callgate's settings (size,
 * statement_timeout 10 s, connect timeout 5 s, idle timeout 10 s, keep-alive);
 * its connections carry the URL's application_name, which is how the runner
 * finds their backends.
 *
 * Plain JavaScript, so that it runs on plain node as PostGraphile is deployed
 * (no TypeScript loader in the process whose CPU is measured); type-checked
 * through JSDoc (checkJs).
 *
 *   node bench/peer-postgraphile.js --url postgres://…?schema=name&application_name=… [--pool-size 10]
 *        [--port 0] [--host 127.0.0.1]
 *
 * Prints {"url": "http://127.0.0.1:PORT", …} on stdout once the schema is built and the server listens.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgraphile } from 'postgraphile';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'pool-size': { type: 'string', default: '10' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!args.url) throw new Error('--url is required');
const poolSize = Number(args['pool-size']);
if (!Number.isInteger(poolSize) || poolSize < 1) throw new Error('--pool-size must be a positive integer');

// callgate's `?schema=name` names the schema PostGraphile serves; the rest of the URL goes to the driver.
const url = new URL(args.url);
const schema = url.searchParams.get('schema');
url.searchParams.delete('schema');
if (schema === null || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`--url: expected ?schema=<name>, got ${JSON.stringify(schema)}`);

const pool = new pg.Pool({
  connectionString: url.toString(),
  max: poolSize,
  connectionTimeoutMillis: 5_000,
  idleTimeoutMillis: 10_000,
  keepAlive: true,
  statement_timeout: 10_000,
});
pool.on('error', () => {});
pool.on('connect', (client) => client.on('error', () => {}));

const handler = postgraphile(pool, schema, {
  graphiql: false,
  dynamicJson: true,
  disableDefaultMutations: true,
  disableQueryLog: true,
  retryOnInitFail: false,
});
// Built before the URL is printed, so that no timed request waits for the introspection.
await handler.getGraphQLSchema();

const server = createServer(handler);
server.keepAliveTimeout = 5_000;
server.listen(Number(args.port), args.host, () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ url: `http://${args.host}:${port}`, peer: 'postgraphile', schema, poolSize })}\n`);
});

const stop = () => {
  server.close(() => {
    void handler
      .release()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
