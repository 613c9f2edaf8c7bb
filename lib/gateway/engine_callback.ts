import {
  type AppDeps,
  createGroupCommit,
  isPool,
  keyedDigest,
  keyedDigests,
  perPool,
  sha256Hex,
  type Sql,
  timingSafeEqual,
} from "../core/mod.ts";

/** The ingest route's path prefix; the per-instance token follows it. */
export const ENGINE_EVENTS_PATH = "/internal/engine-events";
const PURPOSE = "engine-events-token";

/**
 * What the token is an HMAC of: the name and the instance row's random callback_nonce (migration 0009),
 * so a later instance of the same name gets another token. Rows from before 0009 have '' and keep
 * HMAC(name); ':' cannot occur in a name, so the two forms never collide.
 */
const tokenInput = (instanceName: string, nonce: string) => nonce ? `${instanceName}:${nonce}` : instanceName;

/** The instance row's id and callback nonce; null when the name is not registered. */
async function instanceRow(
  deps: AppDeps,
  instanceName: string,
): Promise<{ id: string; nonce: string } | null> {
  const [row] = await deps.sql<{ id: string; nonce: string }[]>`
    SELECT id, callback_nonce AS nonce FROM taguato.user_instances WHERE instance_name = ${instanceName}`;
  return row ?? null;
}

/** Stores the SHA-256 of tokens issued to instance `id` (migration 0011), so the path alone finds it. */
async function recordTokens(deps: AppDeps, id: string, tokens: string[]): Promise<void> {
  const hashes = await Promise.all(tokens.map(sha256Hex));
  await deps.sql`
    INSERT INTO taguato.engine_event_tokens (token_sha256, instance_id)
    SELECT h, ${id} FROM unnest(${hashes}::text[]) AS h
    ON CONFLICT (token_sha256) DO NOTHING`;
}

/**
 * The per-instance path secret: hex HMAC-SHA256 of the instance name and its row's nonce under a derived
 * deployment key. For a registered instance its hash is recorded, which is what makes the token valid
 * (an unregistered name gets a token nothing accepts).
 */
export async function engineEventsToken(deps: AppDeps, instanceName: string): Promise<string> {
  const row = await instanceRow(deps, instanceName);
  const token = await keyedDigest(deps, PURPOSE, tokenInput(instanceName, row?.nonce ?? ""));
  if (row) await recordTokens(deps, row.id, [token]);
  return token;
}

/** What the ingest needs of the instance a path token names, read with the token in one round trip. */
export interface EventsInstance {
  name: string;
  owner: number;
  /** Whether any active tenant webhook listens on the instance (else there is no fan-out to queue). */
  hasWebhooks: boolean;
}

/**
 * The instance a path token was issued to, or null. Found by the token's hash (no body needed), then the
 * HMAC is checked again under the keys available now, in constant time: a token made under a key that is
 * gone stops working. The lookups of events arriving together share one query (a read batched like the
 * group commits, started after they arrived).
 */
export async function engineEventsInstance(deps: AppDeps, token: string): Promise<EventsInstance | null> {
  const hash = await sha256Hex(token);
  let row: TokenRow | null | undefined;
  if (isPool(deps.sql)) {
    const lookup: TokenLookup = { hash, row: undefined };
    await tokenReaders(deps.sql).add(lookup);
    row = lookup.row;
  }
  // A transaction's handle, or a batch that failed: its own query, meeting its own error.
  if (row === undefined) row = (await lookupTokens(deps.sql, [hash])).get(hash) ?? null;
  if (!row) return null;
  let ok = false;
  for (const expected of await expectedTokens(deps, tokenInput(row.name, row.nonce))) {
    ok = timingSafeEqual(expected, token) || ok;
  }
  return ok ? { name: row.name, owner: Number(row.owner), hasWebhooks: row.hooks } : null;
}

// The tokens an instance's events may carry: its HMAC under every available key. They depend only on its
// name and nonce and on the keys (the config's APP_SECRET and the database row, read once per pool), so
// each instance's are computed once per pool and config, not on every event (bounded: cleared when it
// holds MAX_EXPECTED).
const MAX_EXPECTED = 10_000;
const expected = perPool(() => new WeakMap<AppDeps["config"], Map<string, Promise<string[]>>>());

function expectedTokens(deps: AppDeps, input: string): Promise<string[]> {
  const byConfig = expected(deps.sql);
  let memo = byConfig.get(deps.config);
  if (!memo) byConfig.set(deps.config, memo = new Map());
  let tokens = memo.get(input);
  if (!tokens) {
    if (memo.size >= MAX_EXPECTED) memo.clear();
    tokens = keyedDigests(deps, PURPOSE, input);
    tokens.catch(() => memo.delete(input));
    memo.set(input, tokens);
  }
  return tokens;
}

interface TokenRow {
  name: string;
  nonce: string;
  owner: number;
  hooks: boolean;
}

interface TokenLookup {
  hash: string;
  /** The batch's answer (null: no such token); undefined when its query failed. */
  row: TokenRow | null | undefined;
}

const tokenReaders = perPool((sql) =>
  createGroupCommit<TokenLookup>(async (batch) => {
    const rows = await lookupTokens(sql, batch.map((l) => l.hash)).catch(() => undefined);
    if (rows) { for (const l of batch) l.row = rows.get(l.hash) ?? null; }
  })
);

/**
 * The instance row (and whether any active tenant webhook listens on it) of each known token hash: the
 * query of migration 0027's function, which keeps one plan instead of being planned at every lookup.
 */
async function lookupTokens(sql: Sql, hashes: string[]): Promise<Map<string, TokenRow>> {
  const rows = await sql<(TokenRow & { hash: string })[]>`
    SELECT hash, name, nonce, owner, hooks FROM taguato.engine_event_token_rows(${hashes}::text[])`;
  return new Map(rows.map(({ hash, ...row }) => [hash, row]));
}

/**
 * Records the tokens of instances that have none (rows from before migration 0011, whose engine webhooks
 * were registered with a token nobody stored): under every available key, as verification used to accept.
 * Run at startup; idempotent and safe when several replicas start at once.
 */
export async function recordIssuedEngineEventTokens(deps: AppDeps): Promise<number> {
  const rows = await deps.sql<{ id: string; name: string; nonce: string }[]>`
    SELECT i.id, i.instance_name AS name, i.callback_nonce AS nonce FROM taguato.user_instances i
     WHERE NOT EXISTS (SELECT 1 FROM taguato.engine_event_tokens t WHERE t.instance_id = i.id)`;
  for (const row of rows) {
    await recordTokens(deps, row.id, await keyedDigests(deps, PURPOSE, tokenInput(row.name, row.nonce)));
  }
  return rows.length;
}

/**
 * How the engine reaches this gateway: GATEWAY_INTERNAL_URL, else the address this process listens on
 * (main.ts and the test helper set `selfUrl` once serving), else loopback on the configured port.
 */
export function gatewayInternalBase(deps: AppDeps): string {
  return deps.config.gatewayInternalUrl ?? deps.selfUrl ?? `http://127.0.0.1:${deps.config.port}`;
}

/** The full webhook target the engine should call for `instanceName` (register it after the row exists). */
export async function engineCallbackUrl(deps: AppDeps, instanceName: string): Promise<string> {
  const token = await engineEventsToken(deps, instanceName);
  return `${gatewayInternalBase(deps)}${ENGINE_EVENTS_PATH}/${token}`;
}
