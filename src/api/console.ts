/**
 * The operator console at `/`: the static files Vite builds from web/ into
 * web/dist (`npm run build:console`). The files need no key; the console asks for
 * an API key and sends it with each /v1 call, so it can do no more than the key.
 *
 * Whether a build exists is read once, when the server starts: without one, `/`
 * answers a short page saying how to make it, and a build made later is served
 * after a restart.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The console renders canned-email HTML in a sandboxed frame; this policy keeps
 * that HTML, and anything else, from loading scripts or reaching other origins.
 * Inline styles stay allowed because email HTML is styled inline.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const MISSING_BUILD = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Herald console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 10vh auto">
<h1>The Herald console is not built</h1>
<p>This Herald serves its web console from <code>web/dist</code>, which does not exist yet.
Run <code>npm run build:console</code> in the Herald checkout, then restart Herald.</p>
<p>The HTTP API under <code>/v1</code> works without it.</p>
</body>
</html>
`;

/** Registers `/` and the console's files; `root` is for tests that build elsewhere. */
export async function consoleRoutes(
  app: FastifyInstance,
  options: { root?: string } = {},
): Promise<void> {
  const root = options.root ?? CONSOLE_DIST;
  if (!existsSync(join(root, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(MISSING_BUILD),
    );
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    // Only the route handlers of this plugin use it; another plugin (the API docs)
    // may register @fastify/static too, and the decorator may exist only once.
    decorateReply: false,
    cacheControl: false,
    setHeaders(reply, path) {
      reply.header('x-content-type-options', 'nosniff');
      if (path.endsWith('.html')) {
        // index.html names the hashed asset files of the current build: never stale.
        reply.header('cache-control', 'no-cache');
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
      } else {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
}
