import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, invalid, notFound } from '../errors.ts';
import { MissingReference, RecordGone, type RecordKind } from '../store/store.ts';

/**
 * Turns every failure into the contract's error body:
 * {"error": {"code", "message", "field"}}. Schema failures name the field, in the
 * dotted form clients write (`parameters[0].name`), and quote the bad value.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError) {
    if (error.headers) reply.headers(error.headers);
    return reply.status(error.status).send(error.toJSON());
  }
  // A record deleted by another request while this one was editing it, or naming it.
  if (error instanceof RecordGone) {
    return reply.status(404).send(notFound(kindLabel(error.kind), error.id).toJSON());
  }
  if (error instanceof MissingReference) {
    const { kind, id, field } = error.reference;
    const message = `${kindLabel(kind)} ${JSON.stringify(id)} does not exist`;
    const code = `unknown_${kind.replace('-', '_')}`;
    return reply.status(422).send(invalid(field, message, code).toJSON());
  }
  if (error.validation && error.validation.length > 0) {
    return reply.status(400).send(validationError(error).toJSON());
  }
  const storage = storageError(error);
  if (storage) {
    request.log.error({ err: error }, 'storage refused a write');
    reply.header('retry-after', '30');
    return reply.status(503).send(storage.toJSON());
  }
  const known = knownFastifyError(error);
  if (known) return reply.status(known.status).send(known.toJSON());

  request.log.error({ err: error }, 'request failed');
  const internal = new ApiError(500, 'internal_error', 'Herald failed to answer; see its log');
  return reply.status(500).send(internal.toJSON());
}

function kindLabel(kind: RecordKind): string {
  return kind === 'smtp-profile' ? 'SMTP profile' : kind.replace('-', ' ');
}

function validationError(error: FastifyError): ApiError {
  const first = error.validation![0] as {
    instancePath: string;
    keyword: string;
    message?: string;
    params: Record<string, unknown>;
    data?: unknown;
  };
  const where = error.validationContext ?? 'body';
  let path = first.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  if (first.keyword === 'required') path = join(path, String(first.params.missingProperty));
  if (first.keyword === 'additionalProperties') {
    const extra = String(first.params.additionalProperty);
    const field = join(path, extra);
    return new ApiError(400, 'unknown_field', `${field} is not a known field; remove it`, field);
  }
  const field = path || where;
  let message = `${field} ${first.message ?? 'is invalid'}`;
  if (first.keyword === 'required') message = `${field} is required`;
  else if (
    first.data !== undefined &&
    typeof first.data !== 'object' &&
    !/password|secret|token|^headers\.|^auth\./i.test(field)
  ) {
    message += ` (got ${JSON.stringify(first.data).slice(0, 80)})`;
  }
  return new ApiError(400, 'invalid_request', message, field);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function knownFastifyError(error: FastifyError): ApiError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        413,
        'body_too_large',
        'body is larger than Herald accepts; send less at once',
        'body',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        415,
        'unsupported_media_type',
        'Content-Type must be application/json; send the body as JSON',
        'Content-Type',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'empty_body', 'body is empty; send a JSON object', 'body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_json', `body is not valid JSON: ${error.message}`, 'body');
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new ApiError(400, 'invalid_json', `body is not valid JSON: ${error.message}`, 'body');
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError(error.statusCode, 'bad_request', error.message);
  }
  return undefined;
}

/**
 * A full disk (SQLite SQLITE_FULL, PostgreSQL 53100) or a read-only database is an
 * outage, not a client error: 503 with Retry-After. The write's transaction was
 * rolled back whole, so nothing of the request was accepted, and nothing earlier
 * is lost.
 */
function storageError(error: FastifyError): ApiError | undefined {
  const code = String((error as { code?: unknown }).code ?? '');
  if (
    code === 'SQLITE_FULL' ||
    code === '53100' ||
    code === 'SQLITE_IOERR' ||
    code.startsWith('SQLITE_IOERR_')
  ) {
    return new ApiError(
      503,
      'storage_full',
      'Herald could not write to its storage (the disk is full or failing); nothing of this ' +
        'request was accepted; retry later',
    );
  }
  if (code === 'SQLITE_READONLY' || code === '25006') {
    return new ApiError(
      503,
      'storage_read_only',
      'Herald storage is read-only at the moment; nothing of this request was accepted; retry ' +
        'later',
    );
  }
  return undefined;
}
