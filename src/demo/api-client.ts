/**
 * The demo's HTTP client for Herald's API: plain fetch with a bearer key, as any
 * client of the billing platform would call it. The demo configures and feeds
 * Herald only through this, never through the store.
 */

export interface ApiAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export class DemoApi {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
  ) {}

  /** The same API with another owner's key. */
  as(key: string): DemoApi {
    return new DemoApi(this.baseUrl, key);
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: keep the text, it goes into the error message.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  /** Calls the API and throws, with Herald's own error message, unless `status` comes back. */
  async expect(
    status: number,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<any> {
    const answer = await this.call(method, path, body, headers);
    if (answer.status !== status) {
      const error = answer.body?.error;
      const why = error ? `${error.code}: ${error.message}` : JSON.stringify(answer.body);
      throw new Error(`${method} ${path} answered ${answer.status}, expected ${status} (${why})`);
    }
    return answer.body;
  }

  /** Every page of a cursor-paged list. */
  async all(path: string): Promise<any[]> {
    const items: any[] = [];
    const join = path.includes('?') ? '&' : '?';
    let after = '';
    for (;;) {
      const query = `${join}limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await this.expect(200, 'GET', path + query);
      items.push(...page.data);
      if (page.data.length < 1000 || !page.nextCursor) return items;
      after = page.nextCursor;
    }
  }
}
