/**
 * Who subscribes to what in one stream measurement, and which changes the writer
 * commits: both sides derive their expectations from this one plan.
 */

/** One `statusChanged` subscription. */
export interface PlannedSubscription {
  /** Its index in the whole measurement (0…subscriptions-1); also its graphql-ws operation id. */
  readonly index: number;
  /** The lead it filters on; `null` for an unfiltered subscription. */
  readonly leadId: string | null;
  /** Replay from after this id (only the replay measurement sets it). */
  readonly after?: string;
}

/** One graphql-ws connection and the subscriptions multiplexed on it. */
export interface PlannedConnection {
  readonly subscriptions: readonly PlannedSubscription[];
}

/** What one subscriber process opens. */
export interface ClientPlan {
  readonly wsUrl: string;
  readonly token: string;
  readonly connections: readonly PlannedConnection[];
}

/** The whole measurement's subscriptions, spread over connections and client processes. */
export interface StreamPlan {
  readonly subscriptions: number;
  readonly unfiltered: number;
  readonly connections: number;
  readonly clients: readonly ClientPlan[];
  /** Leads that have at least one filtered subscription: the writer commits on these. */
  readonly subscribedLeads: readonly string[];
  /** Filtered subscriptions per lead. */
  readonly filteredPerLead: ReadonlyMap<string, number>;
}

/** The sizes of a plan. */
export interface PlanOptions {
  readonly wsUrl: string;
  readonly token: string;
  readonly subscriptions: number;
  readonly unfiltered: number;
  readonly perConnection: number;
  readonly clientProcesses: number;
  readonly leadIds: readonly string[];
}

/**
 * Subscription i is unfiltered every `subscriptions / unfiltered` indexes, so the
 * unfiltered ones (which receive every change) are spread over as many connections as
 * possible instead of crowding a few sockets; the others filter on the leads in turn.
 * Connection c goes to client process `c % clientProcesses`, so every process gets its
 * share of unfiltered subscriptions (the bulk of the deliveries).
 */
export function buildPlan(options: PlanOptions): StreamPlan {
  const { subscriptions, perConnection, leadIds } = options;
  const unfiltered = Math.min(options.unfiltered, subscriptions);
  const stride = unfiltered === 0 ? Number.POSITIVE_INFINITY : subscriptions / unfiltered;
  const filteredPerLead = new Map<string, number>();
  const all: PlannedSubscription[] = [];
  let unfilteredPlaced = 0;
  let filtered = 0;
  for (let index = 0; index < subscriptions; index++) {
    if (unfilteredPlaced < unfiltered && index >= unfilteredPlaced * stride) {
      all.push({ index, leadId: null });
      unfilteredPlaced++;
      continue;
    }
    const leadId = leadIds[filtered++ % leadIds.length];
    if (leadId === undefined) throw new Error('the data set has no leads');
    filteredPerLead.set(leadId, (filteredPerLead.get(leadId) ?? 0) + 1);
    all.push({ index, leadId });
  }
  const connections: PlannedConnection[] = [];
  for (let from = 0; from < all.length; from += perConnection) connections.push({ subscriptions: all.slice(from, from + perConnection) });
  const processes = Math.max(1, Math.min(options.clientProcesses, connections.length));
  const clients = Array.from({ length: processes }, (_, p) => ({
    wsUrl: options.wsUrl,
    token: options.token,
    connections: connections.filter((_c, c) => c % processes === p),
  }));
  return { subscriptions, unfiltered, connections: connections.length, clients, subscribedLeads: [...filteredPerLead.keys()], filteredPerLead };
}

/**
 * The plan of the idle measurements (`idle-heap.ts`, `opening-allocations.ts`): as the
 * stream benchmark opens them, 10 subscriptions per connection, 1 in 100 unfiltered,
 * over 2 subscriber processes.
 */
export function idlePlan(wsUrl: string, token: string, subscriptions: number, leadIds: readonly string[]): StreamPlan {
  return buildPlan({ wsUrl, token, subscriptions, unfiltered: Math.ceil(subscriptions / 100), perConnection: 10, clientProcesses: 2, leadIds });
}
