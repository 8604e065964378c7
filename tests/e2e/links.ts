// Share-link fragments built in the test itself, the way `faultline-link`
// writes a v1 link: `v1.` then the scenario's JSON, raw DEFLATE (RFC 1951),
// base64url without padding. The decoder accepts any valid DEFLATE stream,
// so the compression level does not matter.
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

export const linkTo = (doc: unknown) => `v1.${deflateRawSync(Buffer.from(JSON.stringify(doc))).toString('base64url')}`;

export const preset = (name: string) => JSON.parse(readFileSync(`assets/scenarios/${name}.json`, 'utf8'));
