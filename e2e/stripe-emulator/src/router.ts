// A small method + path router: `/v1/customers/:id` style patterns compiled once.
import type { RequestContext } from './context.ts';

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  handle: (ctx: RequestContext, params: Record<string, string>) => unknown;
}

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

export class Router {
  private routes: Compiled[] = [];

  add(routes: Route[]) {
    for (const r of routes) {
      const names: string[] = [];
      const source = r.path.replace(/:([a-z_]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      this.routes.push({ ...r, regex: new RegExp(`^${source}$`), names });
    }
    return this;
  }

  /** The matching route, or whether the path exists with another method (405 vs 404). */
  match(
    method: string,
    path: string,
  ): { route: Compiled; params: Record<string, string> } | { pathExists: boolean } {
    let pathExists = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      pathExists = true;
      if (r.method !== method) continue;
      const params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      return { route: r, params };
    }
    return { pathExists };
  }
}
