/**
 * The one place that defines Herald's error kinds.
 *
 * ApiError is what a route throws to answer a client: it carries the HTTP status, a
 * stable code, a message that says what to change, and the field at fault.
 * DeliveryError is what a channel (webhook, email) raises for one attempt: it says
 * whether the failure is transient (worth a retry) and keeps the protocol context.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.headers = options?.headers;
  }

  readonly headers?: Record<string, string>;

  toJSON(): { error: { code: string; message: string; field?: string } } {
    // A message always names its field, so it reads on its own in a log or a UI.
    const message =
      this.field && !this.message.includes(this.field)
        ? `${this.field}: ${this.message}`
        : this.message;
    const body: { code: string; message: string; field?: string } = {
      code: this.code,
      message,
    };
    if (this.field) body.field = this.field;
    return { error: body };
  }
}

export const notFound = (what: string, id: string): ApiError =>
  new ApiError(404, 'not_found', `${what} ${JSON.stringify(id)} was not found`);

export const invalid = (field: string, message: string, code = 'invalid_field'): ApiError =>
  new ApiError(422, code, message, field);

export const conflict = (code: string, message: string, field?: string): ApiError =>
  new ApiError(409, code, message, field);

export interface DeliveryErrorContext {
  /** Where the attempt failed: dns, connect, tls, request, response, smtp stage... */
  stage?: string;
  httpStatus?: number;
  smtpCode?: number;
  smtpResponse?: string;
  /** Seconds the receiver asked us to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
}

export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient: boolean,
    readonly context: DeliveryErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}
