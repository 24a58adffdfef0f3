import { describe, expect, it } from "vitest";
import { campaignStatus, userRole } from "@/db/schema";
import { receivedCampaignLinks } from "./campaign-links";

describe("the contact page's links to the campaigns a contact received", () => {
  it("always links the campaign page; the report only once the campaign was confirmed", () => {
    for (const role of userRole.enumValues)
      for (const status of campaignStatus.enumValues) {
        const links = receivedCampaignLinks({ id: 42, status }, role);
        expect(links.campaign).toBe("/campanhas/42");
        expect(links.report).toBe(status === "draft" || status === "awaiting_confirmation" ? null : "/relatorios/42");
      }
  });
});
