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
  if (!signedIn && pathname.startsWith("/api/")) {
    return NextResponse.json({ error: "Sessão expirada. Entre novamente." }, { status: 401 });
  }
  if (!signedIn) {
    const url = new URL("/login", req.nextUrl);
    if (pathname !== "/") url.searchParams.set("next", pathname + req.nextUrl.search);
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
});

export const config = {
  // Webhooks and Inngest authenticate by signature; Auth.js serves its own routes; static files pass.
  matcher: ["/((?!api/webhooks|api/inngest|api/auth|_next/static|_next/image|favicon.ico|.*\\.(?:png|svg|ico|jpg|webp|woff2?)$).*)"],
};
