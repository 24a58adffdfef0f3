import NextAuth from "next-auth";
import { NextResponse } from "next/server";
import { authConfig } from "./auth.config";

const { auth } = NextAuth(authConfig);

// A convenience only: every page, action and route checks the session itself (CVE-2025-29927).
export default auth((req) => {
  const { pathname } = req.nextUrl;
  const signedIn = Boolean(req.auth?.user);
  // The login page decides itself (against the database) whether a signed-in cookie still names an active
  // user; redirecting here would loop for a user deactivated while signed in.
  if (pathname === "/login") return NextResponse.next();
  if (!signedIn) {
    const url = new URL("/login", req.nextUrl);
    if (pathname !== "/") url.searchParams.set("next", pathname + req.nextUrl.search);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
});

export const config = {
  // Pages only. Every route handler authorizes itself (authorizedRoute; webhooks and Inngest by signature,
  // Auth.js its own) and so does every server action (authorizedAction): the proxy adds nothing there, and
  // running it on a request with a body makes Next.js copy the body for it, which logs "uncaughtException:
  // Error: aborted" whenever the browser goes away mid-request (a live count superseded by the next keystroke,
  // a closed tab; vercel/next.js#84649). Static files pass.
  matcher: [
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|jpg|webp|woff2?)$).*)",
      missing: [{ type: "header", key: "next-action" }],
    },
  ],
};
