/**
 * Whether a request from `origin` may use the API or open a socket. Requests without an `Origin` header come from
 * non-browser clients, which could send any header they like, so the header only guards against other web pages.
 */
export function isOriginAllowed(allowedOrigins: string[] | '*', origin: string | undefined): boolean {
  return allowedOrigins === '*' || origin === undefined || allowedOrigins.includes(origin);
}
