/** A minimal cookie-keeping HTTP client for dashboard tests (fetch, redirects not followed). */

export interface TestClient {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  /** Logs in through the real form; returns the final response of the POST. */
  logIn(username: string, password: string): Promise<Response>;
  /** The CSRF token of the current session, read from a page's logout form. */
  csrf(): Promise<string>;
  cookies: Map<string, string>;
}

export function extractCsrf(page: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!m?.[1]) throw new Error('no CSRF field in the page');
  return m[1];
}

/** `defaults` go with every request (e.g. an X-Forwarded-For naming the client's address). */
export function createTestClient(baseUrl: string, defaults: Record<string, string> = {}): TestClient {
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/Max-Age=0/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  const client: TestClient = {
    cookies,
    async get(path, headers = {}) {
      return remember(
        await fetch(baseUrl + path, {
          redirect: 'manual',
          headers: { ...defaults, cookie: cookieHeader(), accept: 'text/html', ...headers },
        }),
      );
    },
    async post(path, form, headers = {}) {
      return remember(
        await fetch(baseUrl + path, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            ...defaults,
            cookie: cookieHeader(),
            'content-type': 'application/x-www-form-urlencoded',
            ...headers,
          },
          body: new URLSearchParams(form).toString(),
        }),
      );
    },
    async logIn(username, password) {
      const page = await (await client.get('/login')).text();
      return client.post('/login', { _csrf: extractCsrf(page), username, password, next: '/' });
    },
    async csrf() {
      return extractCsrf(await (await client.get('/')).text());
    },
  };
  return client;
}
