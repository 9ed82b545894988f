// Live national totals: the `nationalTotals` subscription over
// graphql-transport-ws at /graphql/ws (the graphql-ws client). The token goes
// in connection_init; a closed socket is reopened with growing pauses, and
// every push replaces the period's totals on screen. A close with 4401 (the
// session was revoked or its token expired) is not retried: it signs out.
import { createClient, type Client } from 'graphql-ws';
import type { NationalTotalsSubscription } from './gql/graphql';
import { NationalTotalsDocument } from './queries';

export type Totals = NationalTotalsSubscription['nationalTotals'];
export type Status = 'connecting' | 'live' | 'reconnecting';

/** The gateway's close code for a revoked session or an expired token. */
export const SESSION_ENDED = 4401;

/** Whether what ended the socket says the session is over. */
export function sessionEnded(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && 'code' in reason && (reason as { code: unknown }).code === SESSION_ENDED;
}

/** A pause before the `retries`-th new attempt: 1 s doubling up to 15 s. */
export function pause(retries: number): number {
  return Math.min(1000 * 2 ** retries, 15_000);
}

export interface LiveHandlers {
  onTotals: (t: Totals) => void;
  onStatus: (s: Status) => void;
  /** The gateway ended the session (close code 4401): sign out. */
  onSessionEnded: () => void;
}

/** Subscribes; returns the function that ends the subscription and the socket.
 * `token` is asked at each connection, so a renewed token is used. */
export function liveTotals(token: () => string | null, from: string, to: string, on: LiveHandlers): () => void {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let opened = false;
  // Once stopped, the closing socket reports nothing more.
  let stopped = false;
  const status = (s: Status) => {
    if (!stopped) on.onStatus(s);
  };
  const client: Client = createClient({
    url: `${scheme}://${location.host}/graphql/ws`,
    connectionParams: () => ({ Authorization: `Bearer ${token() ?? ''}` }),
    // Keep trying while the page is open: a gateway restart or a network
    // drop ends in a fresh subscription, not in stale figures. (graphql-ws
    // itself never retries 4401: it reports it to the subscription.)
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: (e) => !sessionEnded(e),
    retryWait: async (retries) => new Promise((r) => setTimeout(r, pause(retries))),
    on: {
      connecting: () => status(opened ? 'reconnecting' : 'connecting'),
      connected: () => {
        opened = true;
        status('live');
      },
      closed: () => {
        if (opened) status('reconnecting');
      },
    },
  });
  let unsubscribe: () => void = () => undefined;
  let failures = 0;
  const subscribe = () => {
    unsubscribe = client.subscribe<NationalTotalsSubscription>(
      { query: NationalTotalsDocument.toString(), variables: { from, to } },
      {
        next: (r) => {
          failures = 0;
          if (r.data && !stopped) on.onTotals(r.data.nationalTotals);
        },
        error: (e) => {
          if (stopped) return;
          if (sessionEnded(e)) {
            stopped = true;
            void client.dispose();
            on.onSessionEnded();
            return;
          }
          // Any other fatal answer: subscribe afresh after a pause.
          status('reconnecting');
          setTimeout(() => {
            if (!stopped) subscribe();
          }, pause(failures++));
        },
        complete: () => undefined,
      },
    );
  };
  subscribe();
  return () => {
    stopped = true;
    unsubscribe();
    void client.dispose();
  };
}
