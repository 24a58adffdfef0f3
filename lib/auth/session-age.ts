// How long a sign-in lasts: the cookie's maxAge (auth.config.ts) and the session row's expiry (sessions.ts).
// Its own module so the request guard (proxy.ts) does not pull in the database.
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;
