import "server-only";
import { displayPhone } from "@/lib/phones";
import type { PanelChip, PanelInitial, PanelList, PanelTemplate } from "@/components/campaigns/campaign-panel";
import { getDb } from "@/db/client";
import { panelOptions } from "@/db/queries/campaigns";
import { countAudience } from "@/db/queries/segments";
import type { CurrentUser } from "@/lib/auth/session";
import { mediaHeaderOf } from "@/lib/campaigns/campaigns";
import { earliestSchedule, timeZoneLabel } from "@/lib/campaigns/time";
import { tierLabels } from "@/lib/chips";
import { qualityLabels, templateCategoryLabels } from "@/lib/i18n/labels";
import { parseFilter } from "@/lib/segments/filter";

// What the Nova campanha panel needs, shaped for the client component (no tokens, no raw rows).
export const panelData = async (user: CurrentUser) => {
  const db = getDb();
  const options = await panelOptions(db, user.organizationId);
  const lists: PanelList[] = await Promise.all(
    options.lists.map(async (l) => {
      const parsed = parseFilter(l.filter);
      return { id: l.id, name: l.name, count: parsed.ok ? await countAudience(db, user.organizationId, parsed.filter, { timeZone: user.timeZone }) : null };
    }),
  );
  const chips: PanelChip[] = options.chips.map((c) => ({
    id: c.id,
    name: c.name,
    displayNumber: displayPhone(c.displayNumber),
    quality: qualityLabels[c.qualityRating].toLowerCase(),
    messagesPerSecond: c.messagesPerSecond,
    limit: tierLabels[c.messagingLimitTier] ?? c.messagingLimitTier,
  }));
  const templates: PanelTemplate[] = options.templates.map((t) => ({
    id: t.id,
    name: t.name,
    language: t.language,
    category: templateCategoryLabels[t.category],
    components: t.components,
    variables: (t.variables ?? []).map((v) => ({ index: v.index, component: v.component })),
    media: mediaHeaderOf(t.components),
    isOptInRequest: t.isOptInRequest,
  }));
  return {
    chips,
    lists,
    templates,
    flows: options.flows,
    minScheduled: earliestSchedule(user.timeZone),
    timeZoneLabel: timeZoneLabel(user.timeZone),
  };
};

export const emptyInitial: PanelInitial = {
  id: null,
  name: "",
  chipId: null,
  audienceId: null,
  templateId: null,
  flowId: null,
  sendMode: "immediate",
  scheduledAt: null,
  variables: [],
  headerMediaUrl: null,
  packageConsent: false,
  sendWindow: null,
};
