import "server-only";

// The app's entry point to audience queries; the implementation lives in lib/segments/queries.ts (no
// "server-only" there, so the worker and the benchmarks run the same code).
export {
  audienceContactIds,
  countAudience,
  listUfs,
  PREVIEW_MAX,
  previewAudience,
  suggestCities,
  type AudiencePreviewRow,
  type CitySuggestion,
} from "@/lib/segments/queries";
