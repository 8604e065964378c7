// The built page (dist/) on a free loopback port, for the benchmarks that
// drive it in Chromium (frame-time.mjs, drag-trace.mjs): the same static
// server the end-to-end tests use (tests/e2e/serve.mjs).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port nobody is listening on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Spawns tests/e2e/serve.mjs and resolves, once it answers HTTP, to its
 * base address and its process (kill it when done).
 */
export async function startServer() {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'tests/e2e/serve.mjs'), String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`static server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${base}/`);
      if (res.ok) return { base, child };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill();
  throw new Error('static server did not answer within 10 s');
}
