// Live national totals: the `nationalTotals` subscription over
// graphql-transport-ws at /graphql/ws (the graphql-ws client). The token goes
// in connection_init; a closed socket is reopened with growing pauses, and
// every push replaces the period's totals on screen.
import { createClient, type Client } from 'graphql-ws';
import type { NationalTotalsSubscription } from './gql/graphql';
import { NationalTotalsDocument } from './queries';

export type Totals = NationalTotalsSubscription['nationalTotals'];
export type Status = 'connecting' | 'live' | 'reconnecting';

/** Subscribes; returns the function that ends the subscription and the socket. */
export function liveTotals(token: string, from: string, to: string, onTotals: (t: Totals) => void, onStatus: (s: Status) => void): () => void {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let opened = false;
  // Once stopped, the closing socket reports nothing more.
  let stopped = false;
  const status = (s: Status) => {
    if (!stopped) onStatus(s);
  };
  const client: Client = createClient({
    url: `${scheme}://${location.host}/graphql/ws`,
    connectionParams: { Authorization: `Bearer ${token}` },
    // Keep trying while the page is open: a gateway restart or a network
    // drop ends in a fresh subscription, not in stale figures.
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 15_000))),
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
  const stop = client.subscribe<NationalTotalsSubscription>(
    { query: NationalTotalsDocument.toString(), variables: { from, to } },
    {
      next: (r) => {
        if (r.data && !stopped) onTotals(r.data.nationalTotals);
      },
      error: () => status('reconnecting'),
      complete: () => undefined,
    },
  );
  return () => {
    stopped = true;
    stop();
    void client.dispose();
  };
}
