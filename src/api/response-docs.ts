/**
 * What each /v1 route answers on success, for the OpenAPI document only (see
 * docs.ts): the status and, where there is a body, its schema. The schemas list
 * the fields a client may rely on; answers may carry more.
 */

export interface ResponseDoc {
  status: number;
  description: string;
  schema?: object;
}

/** Routes whose success status is not the one their method and path suggest. */
const STATUS: Record<string, number> = {
  'POST /v1/events': 202,
  'POST /v1/events/batch': 202,
  'POST /v1/usage': 202,
  'POST /v1/deliveries/{id}/resend': 202,
  'POST /v1/endpoints/{id}/resend-failed': 202,
};

const DESCRIPTIONS: Record<number, string> = {
  200: 'Done',
  201: 'Created',
  202: 'Accepted: stored, and queued for delivery',
  204: 'Done; no body',
};

/** The success answer of `method path` (an OpenAPI path, `/v1/endpoints/{id}`). */
export function responseDoc(method: string, path: string): ResponseDoc {
  const key = `${method} ${path}`;
  const status = STATUS[key] ?? conventionalStatus(method, path);
  return { status, description: DESCRIPTIONS[status] ?? 'Done' };
}

/** DELETE answers 204, a POST to a collection 201, everything else 200. */
function conventionalStatus(method: string, path: string): number {
  if (method === 'DELETE') return 204;
  if (method === 'POST' && path.split('/').length === 3) return 201;
  return 200;
}
