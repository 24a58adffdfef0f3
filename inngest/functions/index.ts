import { campaignFunction } from "./campaign";
import { sendFunctions } from "./send";

/** Every function /api/inngest serves: the campaign function and the three tier send functions. */
export const functions = [campaignFunction, ...sendFunctions];

export { campaignFunction, sendFunctions };
