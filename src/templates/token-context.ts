/**
 * The object templates render against and webhook bodies carry: one key per token
 * group (`event`, `now`, `owner`, `account`, `contact`, then the payload groups), each
 * holding that group's fields, so `{{invoice.dueDate}}` is a plain property path.
 */

const COMMON_KEYS = new Set(['event', 'now', 'owner', 'account', 'contact']);

/** The account fields that become tokens; other account data (contacts...) stays out. */
const ACCOUNT_FIELDS = ['id', 'number', 'name', 'status', 'balance', 'currency'] as const;

/** What the account group is built from; extra properties are ignored. */
export interface AccountTokenSource {
  id: string;
  number?: string | null;
  name?: string | null;
  status?: string | null;
  balance?: number | null;
  currency?: string | null;
}

export interface TokenContextInput {
  event: { id: string; type: string; occurredAt: string };
  /** The event's validated payload, keyed by payload group. */
  data: Record<string, unknown>;
  owner: { name: string };
  /** Absent for types without an account (bill runs) or an account Herald never saw. */
  account?: AccountTokenSource | null;
  /** The email recipient; leave it out for webhooks. */
  contact?: { name?: string; email: string; type: string } | null;
  /** Rendering time; defaults to the current clock. */
  now?: Date;
}

const present = (value: unknown): boolean => value !== undefined && value !== null;

const compact = (entries: [string, unknown][]): Record<string, unknown> =>
  Object.fromEntries(entries.filter(([, value]) => present(value)));

/**
 * Builds the token context of one delivery. Absent values are left out rather than
 * set to undefined: the renderer prints them as empty strings and JSON drops them.
 * Payload keys that collide with a common group are ignored, so a payload can never
 * pose as Herald's own account or contact data.
 */
export const buildTokenContext = (input: TokenContextInput): Record<string, unknown> => {
  const context: Record<string, unknown> = {};
  const now = input.now ?? new Date();
  const iso = now.toISOString();

  context.event = {
    id: input.event.id,
    type: input.event.type,
    occurredAt: input.event.occurredAt,
  };
  context.now = { date: iso.slice(0, 10), time: iso.slice(11, 16) };
  context.owner = { name: input.owner.name };
  if (input.account) {
    const account = input.account as unknown as Record<string, unknown>;
    context.account = compact(ACCOUNT_FIELDS.map((f) => [f, account[f]]));
  }
  if (input.contact) {
    const { name, email, type } = input.contact;
    context.contact = compact([
      ['name', name],
      ['email', email],
      ['type', type],
    ]);
  }

  for (const [group, fields] of Object.entries(input.data ?? {})) {
    if (COMMON_KEYS.has(group) || !present(fields)) continue;
    context[group] =
      typeof fields === 'object' && !Array.isArray(fields)
        ? compact(Object.entries(fields as Record<string, unknown>))
        : fields;
  }
  return context;
};

/**
 * The `data` of a webhook body: the token context without `contact` (email only) and
 * `now` (a rendering artefact; the body's own `timestamp` says when it was sent).
 */
export const webhookData = (context: Record<string, unknown>): Record<string, unknown> => {
  const { contact: _contact, now: _now, ...data } = context;
  return data;
};
