// A static HTTP server on 127.0.0.1 (a secure context, so the page gets navigator.gpu) for the
// built page plus the assets table (LiteRT.js's wasm, the models).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { type Asset, assetMiddleware, contentType } from './assets.js';

export interface StaticServer {
  /** "http://127.0.0.1:<port>/" */
  url: string;
  close(): Promise<void>;
}

export async function startServer(root: string, assets: Map<string, Asset>): Promise<StaticServer> {
  const serveAssets = assetMiddleware(() => assets);
  const server: Server = createServer((req, res) => {
    serveAssets(req, res, () => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
      if ((file === root || file.startsWith(root + sep)) && existsSync(file) && statSync(file).isFile()) {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': contentType(file), 'content-length': body.byteLength, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${path}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
