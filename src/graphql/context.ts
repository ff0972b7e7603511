import type { ChangeChannel, ChangeOrigin, ChangeRecord } from '../core/change-log.js';
import type { CustomFieldDefinition } from '../core/custom-field.js';
import type { Viewer } from '../core/viewer.js';
import type { CallStore, CallWithValues } from '../store/call-store.js';
import type { WebhookStore } from '../store/webhook-store.js';

/** Secrets the admin mutations make: injected, so tests and the server decide how they are made. */
export interface CredentialFactory {
  hashPassword(password: string): Promise<string>;
  /** A fresh API token: the secret shown once, and the hash that is stored. */
  newApiToken(): { secret: string; hash: string };
}

/** Where a request came in, as the change log records it. */
export interface RequestOrigin {
  channel: Extract<ChangeChannel, 'rest' | 'graphql'>;
  requestId: string | null;
  clientAddress: string | null;
}

/** The live tail of the change log, as subscriptions read it (the app's store/change-feed.ts). */
export interface ChangeStreams {
  /**
   * The tenant's change sets after `after` (a sequence; null: from the log's end), as `select` maps them (null skips
   * one), until `return`. `reads.call()`, the call right after the set, is read once for every subscriber.
   * With `calls`, other calls' change sets never reach `select` (nor count against the subscriber's buffer).
   */
  open<T>(
    tenantId: string,
    after: number | null,
    select: (
      set: ChangeRecord[],
      reads: { call(): Promise<CallWithValues | null> },
    ) => Promise<T | null>,
    /** The last event of a subscriber that let too many records wait: the last sequence it was handed, to resume from. */
    tooSlow: (lastDelivered: number) => T,
    calls?: ReadonlySet<string>,
  ): Promise<AsyncIterableIterator<T>>;
}

/** What the webhook admin mutations need beside the store: the URL policy and fresh secrets. */
export interface WebhookAdmin {
  store: WebhookStore;
  /** The URL normalized, or a WebhookUrlError saying why it is refused (scheme, private address, DNS); see store/webhook-url.ts. */
  checkUrl(url: string): Promise<string>;
  newSecret(): string;
}

export interface GraphQLContext {
  store: CallStore;
  /** The live tail of the change log (subscriptions). */
  changeFeed: ChangeStreams;
  /** The request's `Last-Event-ID` (an SSE client resuming): a subscription's `after` when it names none. */
  lastEventId: string | null;
  viewer: Viewer;
  origin: RequestOrigin;
  clock: () => Date;
  credentials: CredentialFactory;
  /** Reports an expected failure a field returned as a result-union member (the app counts them). */
  onResolvedError: (error: Error) => void;
  /** The most calls one bulk edit may apply to (BULK_EDIT_MAX_CALLS); DEFAULT_BULK_EDIT_LIMIT when absent. */
  bulkEditLimit?: number;
  /** Webhook administration; a string says why it is unavailable (e.g. no WEBHOOK_SECRET_KEY on PostgreSQL). */
  webhooks?: WebhookAdmin | string;
  /** Every custom field of the viewer's tenant, disabled ones included, read at most once per request. */
  customFieldDefinitions: () => Promise<CustomFieldDefinition[]>;
  /** Drops what `customFieldDefinitions` read: a mutation changed the definitions, so a later field of the request reads them again. */
  customFieldDefinitionsChanged: () => void;
}

/** The context of one request. */
export function createGraphQLContext(
  deps: Pick<GraphQLContext, 'store' | 'changeFeed' | 'lastEventId' | 'viewer' | 'clock' | 'credentials' | 'onResolvedError' | 'origin' | 'bulkEditLimit' | 'webhooks'>,
): GraphQLContext {
  let definitions: Promise<CustomFieldDefinition[]> | undefined;
  return {
    ...deps,
    customFieldDefinitions: () => (definitions ??= deps.store.listCustomFields(deps.viewer.tenantId, { includeDisabled: true })),
    customFieldDefinitionsChanged: () => {
      definitions = undefined;
    },
  };
}

/** Who writes in this request, as the change log records it: the viewer, through REST or GraphQL, or `admin` for field administration. */
export function changeOrigin({ viewer, origin }: Pick<GraphQLContext, 'viewer' | 'origin'>, channel: ChangeChannel = origin.channel): ChangeOrigin {
  return {
    actor: { userId: viewer.userId, username: viewer.username, tokenId: viewer.tokenId },
    channel,
    requestId: origin.requestId,
    clientAddress: origin.clientAddress,
  };
}
