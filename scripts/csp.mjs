// trunk post-build hook: adds a Content-Security-Policy to the built page.
//
// trunk loads the app with a small inline module script whose text names the
// hashed bundle, so it changes with every build; the policy allows exactly
// that script by its SHA-256 and nothing else inline. WebAssembly needs
// 'wasm-unsafe-eval' (never 'unsafe-eval'); style attributes that the app
// sets on elements are allowed, <style> elements are not. No other origin is
// allowed for anything.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('csp.mjs: TRUNK_STAGING_DIR is not set (run me as a trunk hook)');
  process.exit(1);
}
if (process.env.FAULTLINE_DEV_SERVER === '1') {
  // scripts/serve.sh: trunk serve adds an inline live-reload script later.
  console.log('csp.mjs: dev server, no Content-Security-Policy (live reload needs an inline script)');
  process.exit(0);
}
const file = join(dir, 'index.html');
let html = readFileSync(file, 'utf8');
const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
);
const policy = [
  "default-src 'none'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, '');
html = html.replace(/(<meta charset="utf-8" \/>)/, `$1\n  ${meta}`);
if (!html.includes(meta)) {
  console.error('csp.mjs: could not place the policy (no <meta charset="utf-8" />?)');
  process.exit(1);
}
writeFileSync(file, html);
console.log(`csp.mjs: policy with ${hashes.length} inline script hash(es)`);
