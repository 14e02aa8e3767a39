/**
 * Whether a request from `origin` may use the API or open a socket. Requests without an `Origin` header come from
 * non-browser clients, which could send any header they like, so the header only guards against other web pages.
 * The server's own pages (`/m/<code>`, the demo) are always allowed: their `Origin` names the `Host` they were
 * served from. The scheme is not compared, so that a proxy terminating TLS in front of plain HTTP changes nothing.
 */
export function isOriginAllowed(allowedOrigins: string[] | '*', origin: string | undefined, host: string | undefined): boolean {
  return allowedOrigins === '*' || origin === undefined || allowedOrigins.includes(origin) || isSameHost(origin, host);
}

function isSameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
