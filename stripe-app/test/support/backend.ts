// A stand-in DisputeDesk backend for view tests: a real HTTP server on loopback that answers each
// route with what the test set (validated against the server's contract schemas by the
// fixtures), records every request, and can hold answers back to show loading states.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown> | null;
  /** The path and query as sent, and the body's text as sent. */
  target: string;
  raw: string;
}

type Answer = { status: number; body: unknown } | 'hang';

export class FakeBackend {
  readonly requests: Recorded[] = [];
  private routes = new Map<string, Answer | ((r: Recorded) => Answer)>();
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Forgets the routes and requests of the previous test. */
  reset() {
    this.routes.clear();
    this.requests.length = 0;
  }

  /** `GET /app/v1/status` → answer (a status and body, 'hang', or a function of the request). */
  on(route: string, answer: Answer | ((r: Recorded) => Answer)) {
    this.routes.set(route, answer);
    return this;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', this.url);
      const rec: Recorded = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: raw ? (JSON.parse(raw) as Record<string, unknown>) : null,
        target: req.url ?? '/',
        raw,
      };
      this.requests.push(rec);
      const route = this.routes.get(`${rec.method} ${rec.path}`);
      const answer = typeof route === 'function' ? route(rec) : route;
      if (answer === 'hang') return; // never answered: the view stays loading
      const { status, body } = answer ?? {
        status: 404,
        body: { error: { code: 'not_found', message: `No route ${rec.method} ${rec.path}` } },
      };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  }
}

/** One stand-in backend per test file, cleared before each test. */
export function stubBackendPerFile() {
  const backend = new FakeBackend();
  beforeAll(() => backend.start());
  beforeEach(() => backend.reset());
  afterAll(() => backend.stop());
  return backend;
}
