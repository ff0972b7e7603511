import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { shouldRenderGraphiQL, type Plugin } from 'graphql-yoga';
import { DEMO_CALL_ID, VENDOR_EXAMPLE_FIELDS } from '../core/vendor-examples.js';

const [paymentStatus, callType] = VENDOR_EXAMPLE_FIELDS;

const QUERY = `# Your browser asks for the API user's name and password (HTTP Basic),
# or put a token in the Headers tab: {"Authorization": "Bearer cg_..."}

query Call($callId: ID!) {
  call(id: $callId) {
    id
    setupTime
    fromNumber
    toNumber
    direction
    duration
    version
    customFields { fieldId name value updatedAt }
  }
}

# A page of calls with every enabled field (null where unset); for the next page
# pass pageInfo.endCursor as "after".
query Calls($after: String) {
  calls(first: 10, after: $after, orderBy: { field: SETUP_TIME, direction: DESC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        setupTime
        fromNumber
        toNumber
        customFields(includeEmpty: true) { name value field { type options editable } }
      }
    }
  }
}

# Sets one field by id and one by name; "value": null clears a field.
mutation SetCallCustomFields($callId: ID!, $customFields: [CustomFieldValueInput!]!) {
  setCallCustomFields(callId: $callId, customFields: $customFields) {
    __typename
    ... on SetCallCustomFieldsSuccess { call { id version customFields { name value } } }
    ... on Error { message }
    ... on InvalidRecordError { details { path message } }
  }
}

# Who changed what on this call, newest first (run SetCallCustomFields, then this);
# the tenant's whole log, oldest first, is Query.changes.
query History($callId: ID!) {
  call(id: $callId) {
    history(first: 10) {
      edges { node { at field { name } kind oldValue newValue actor { username } channel } }
    }
  }
}

# Live updates over SSE: runs until you stop it; each change to the call appears as it
# commits (run SetCallCustomFields from another tab or any client). Pass an event's
# cursor as "after" to resume without missing one.
subscription Live($callId: ID!) {
  callChanges(callIds: [$callId]) {
    cursor
    at
    actor { username }
    changes { field { name } oldValue newValue }
  }
}
`;

const VARIABLES = JSON.stringify(
  {
    callId: DEMO_CALL_ID,
    customFields: [
      { fieldId: paymentStatus.fieldId, value: 'Unknown' },
      { name: callType.name, value: 'Sales call' },
    ],
  },
  null,
  2,
);

/**
 * GraphiQL opens on the call query, the calls page and the setCallCustomFields
 * mutation, with variables for the demo data. GraphiQL fills its editors from
 * `initialQuery` and `initialVariables` (a default tab's variables never reach
 * the editor); on a reload it focuses the stored tab holding exactly these, or
 * adds it, so the examples always open ready to run.
 */
export const graphiqlOptions = {
  title: 'callgate GraphiQL',
  initialQuery: QUERY,
  initialVariables: VARIABLES,
  defaultEditorToolsVisibility: 'variables' as const,
  // Subscriptions too as a JSON POST (answered as server-sent events), not a GET: a GET without the CSRF header
  // is refused (graphql-server.ts), and GraphiQL's fetch would send none.
  method: 'POST' as const,
};

export type PageEncoding = 'br' | 'gzip' | 'identity';

/**
 * The encoding to send a page in: the one Accept-Encoding prefers among br and
 * gzip (br on a tie, `*` counts for both, q=0 refuses), identity otherwise.
 */
export function pageEncoding(acceptEncoding: string | null): PageEncoding {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [coding, ...params] = part.split(';').map((s) => s.trim());
    if (!coding) continue;
    const q = params.find((p) => /^q\s*=/.test(p));
    const weight = q === undefined ? 1 : Number(q.replace(/^q\s*=\s*/, ''));
    weights.set(coding, Number.isFinite(weight) ? weight : 0);
  }
  const weight = (coding: string) => weights.get(coding) ?? weights.get('*') ?? 0;
  const [br, gz] = [weight('br'), weight('gzip')];
  if (br > 0 && br >= gz) return 'br';
  return gz > 0 ? 'gzip' : 'identity';
}

type Bytes = Uint8Array<ArrayBuffer>;

const compressors: Record<Exclude<PageEncoding, 'identity'>, (html: Bytes) => Promise<Bytes>> = {
  // Quality 5: the 9 MB page in one to three seconds, 20% smaller than gzip; quality 11 takes well over a minute.
  br: async (html) =>
    new Uint8Array(
      await promisify(brotliCompress)(html, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 5,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: html.length,
        },
      }),
    ),
  gzip: async (html) => new Uint8Array(await promisify(gzip)(html, { level: 6 })),
};

/** Whether If-None-Match names this ETag (weak comparison, as RFC 9110 asks for this header; `*` matches). */
function noneMatch(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

/**
 * The GraphiQL page as yoga would show it (a GET of the GraphQL endpoint
 * asking for HTML), rendered once and compressed once per encoding, each on
 * the first view that needs it, then kept: br or gzip by Accept-Encoding,
 * a strong ETag per encoding, `Cache-Control: no-cache` so a browser
 * revalidates, and 304 to a matching If-None-Match. A page that cannot be
 * rendered is a 500 with no details (`onError` gets the cause), and the next
 * view tries again.
 */
export function createGraphiQLPage(options: { endpoint: string; render: () => Promise<string>; onError: (error: unknown) => void }) {
  const { endpoint, render, onError } = options;
  let identity: Promise<{ body: Bytes; tag: string }> | undefined;
  const encoded = new Map<PageEncoding, Promise<Bytes>>();

  // A failed render or compression is forgotten, so the next view tries again.
  const once = <T>(make: () => Promise<T>, forget: () => void): Promise<T> => {
    const made = make();
    made.catch(forget);
    return made;
  };
  const page = () =>
    (identity ??= once(
      async () => {
        const body = new TextEncoder().encode(await render());
        return { body, tag: createHash('sha256').update(body).digest('base64url').slice(0, 27) };
      },
      () => (identity = undefined),
    ));
  const bodyIn = (encoding: PageEncoding, html: Bytes): Promise<Bytes> => {
    if (encoding === 'identity') return Promise.resolve(html);
    let body = encoded.get(encoding);
    if (!body) {
      body = once(() => compressors[encoding](html), () => encoded.delete(encoding));
      encoded.set(encoding, body);
    }
    return body;
  };

  async function respond(request: Request, vary: string, Response: typeof globalThis.Response): Promise<Response> {
    const encoding = pageEncoding(request.headers.get('accept-encoding'));
    const { body: html, tag } = await page();
    const etag = encoding === 'identity' ? `"${tag}"` : `"${tag}-${encoding}"`;
    const headers: Record<string, string> = { etag, 'cache-control': 'no-cache', vary };
    if (noneMatch(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
    const body = await bodyIn(encoding, html);
    headers['content-type'] = 'text/html; charset=utf-8';
    headers['content-length'] = String(body.length);
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    return new Response(body, { status: 200, headers });
  }

  /** Serves the page on yoga's terms: a GET of the endpoint (or with a trailing slash) that accepts HTML. */
  const plugin: Plugin<object, { res?: ServerResponse }> = {
    onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (!shouldRenderGraphiQL(request) || (url.pathname !== endpoint && url.pathname !== `${endpoint}/`)) return;
      // Keep what the Node entry already said the answer varies by (Origin, with CORS on).
      const before = serverContext?.res?.getHeader('vary');
      const vary = [...(before === undefined ? [] : [String(before)]), 'Accept-Encoding'].join(', ');
      return respond(request, vary, fetchAPI.Response).then(endResponse, (error: unknown) => {
        onError(error);
        endResponse(
          new fetchAPI.Response('The GraphiQL page could not be rendered; the server log has the cause.', {
            status: 500,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
          }),
        );
      });
    },
  };
  return { plugin };
}
