// How long a sign-in lasts: the cookie's maxAge (auth.config.ts) and the session row's expiry (sessions.ts).
// Its own module so the request guard (proxy.ts) does not pull in the database.
export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

// However active, a sign-in ends this long after it was made (sessions.ts): a copied cookie kept alive by
// requests every few hours stops working within a week, and everyone types the password again once a week.
export const SESSION_ABSOLUTE_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
