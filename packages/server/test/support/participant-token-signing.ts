// How a site's backend signs participant tokens, as docs/protocol.md §18 shows it; participant-token-signing.test.ts
// joins a real server with each kind.
// #region shared-secret
import { importPKCS8, SignJWT } from 'jose';

export interface TokenRequest {
  meetingCode: string;
  user: { id: string | number; displayName: string };
  isHost: boolean;
}

/** `secret`: the same value as the Parley server's AUTH_TOKEN_SECRET (32 characters or more), on the backend only. */
export function parleyToken(secret: string, { meetingCode, user, isHost }: TokenRequest): Promise<string> {
  return new SignJWT({ meeting: meetingCode, name: user.displayName, role: isHost ? 'host' : 'participant' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(user.id))
    .setIssuer('https://app.example.com') // if the server sets AUTH_ISSUER
    .setAudience('parley') // if the server sets AUTH_AUDIENCE
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}
// e.g. in an Express route: res.json({ token: await parleyToken(process.env.PARLEY_TOKEN_SECRET, { meetingCode, user: req.user, isHost }) })
// #endregion shared-secret

// #region key-set
/** With AUTH_JWKS_URL instead: sign with your private key (PKCS#8 PEM) and name its public key's `kid`. */
export async function parleyTokenSignedWithKey(privateKeyPem: string, { meetingCode, user, isHost }: TokenRequest): Promise<string> {
  const privateKey = await importPKCS8(privateKeyPem, 'ES256');
  return new SignJWT({ meeting: meetingCode, name: user.displayName, role: isHost ? 'host' : 'participant' })
    .setProtectedHeader({ alg: 'ES256', kid: 'parley-2026-01' }) // the kid of its public key in your JWKS
    .setSubject(String(user.id))
    .setExpirationTime('10m')
    .sign(privateKey);
}
// Serve { keys: [{ ...await exportJWK(publicKey), kid: 'parley-2026-01', alg: 'ES256', use: 'sig' }] } at AUTH_JWKS_URL.
// #endregion key-set
