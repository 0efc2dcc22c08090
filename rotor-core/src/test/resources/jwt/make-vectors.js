// Generates jwt-vectors.json with Node's own crypto, independently of the Java code under test.
// Tokens are built the way the Ruby cent gem's Cent::Notary (ruby-jwt) builds them: header exactly
// {"alg":"<ALG>"}, compact JSON claims in the order given, base64url without padding.
// Run from this directory: node make-vectors.js   (new key pairs each run: rewrites the public keys and
// the vectors; the private keys are not kept)
'use strict';
const crypto = require('crypto');
const fs = require('fs');

const b64 = (buf) => Buffer.from(buf).toString('base64url');
const pem = (key, type) => key.export({ type, format: 'pem' });

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
fs.writeFileSync('rsa-public.pem', pem(rsa.publicKey, 'spki'));
fs.writeFileSync('ec256-public.pem', pem(p256.publicKey, 'spki'));
fs.writeFileSync('ec384-public.pem', pem(p384.publicKey, 'spki'));

function sign(alg, input) {
  const bits = alg.slice(2);
  switch (alg.slice(0, 2)) {
    case 'HS': return crypto.createHmac('sha' + bits, 'secret').update(input).digest();
    case 'RS': return crypto.sign('sha' + bits, Buffer.from(input), rsa.privateKey);
    case 'ES': return crypto.sign('sha' + bits, Buffer.from(input),
        { key: bits === '256' ? p256.privateKey : p384.privateKey, dsaEncoding: 'ieee-p1363' });
    default: return Buffer.alloc(0);
  }
}

function token(alg, claimsJson) {
  const input = b64(JSON.stringify({ alg })) + '.' + b64(claimsJson);
  return input + '.' + b64(sign(alg, input));
}

const FAR = 4102444800; // 2100-01-01
const vectors = [
  { name: 'hs256 connection token as the README issues it', alg: 'HS256',
    claims: `{"sub":"42","info":{"scope":"admin"},"exp":${FAR}}` },
  { name: 'hs256 connection token with sub only', alg: 'HS256', claims: '{"sub":"42"}' },
  { name: 'hs384 connection token', alg: 'HS384', claims: '{"sub":"7","exp":1629050099}' },
  { name: 'hs512 channel token', alg: 'HS512',
    claims: `{"client":"c-1","channel":"$secret","info":{"role":"mod"},"exp":${FAR}}` },
  { name: 'hs256 channel token without info', alg: 'HS256', claims: '{"client":"c-1","channel":"$secret"}' },
  { name: 'hs256 b64info', alg: 'HS256', claims: `{"sub":"5","b64info":"${Buffer.from('{"x":[1,2]}').toString('base64')}"}` },
  { name: 'rs256 connection token', alg: 'RS256', claims: `{"sub":"42","info":{"a":1},"exp":${FAR}}` },
  { name: 'rs512 connection token', alg: 'RS512', claims: '{"sub":"43"}' },
  { name: 'es256 connection token', alg: 'ES256', claims: `{"sub":"42","exp":${FAR}}` },
  { name: 'es384 channel token', alg: 'ES384', claims: '{"client":"c-2","channel":"$x","info":"plain"}' },
];
for (const v of vectors) {
  v.token = token(v.alg, v.claims);
}
fs.writeFileSync('jwt-vectors.json', JSON.stringify({ secret: 'secret', vectors }, null, 2) + '\n');
