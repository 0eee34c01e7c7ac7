import { z } from "zod";

/**
 * What we stamp on every Checkout Session and PaymentIntent (and later Subscription), and read back
 * from webhooks. Stripe echoes it verbatim, but it arrives through the network, so it is parsed,
 * never trusted: a missing or malformed field reads as absent.
 */
export const GIFT_METADATA_KIND = "readerfund_gift";

export type GiftMetadataInput = {
  frequency: "once" | "monthly" | "annual";
  attemptId: string;
  articleUrl?: string;
  section?: string;
  campaign?: string;
  variant?: string;
  locale: string;
  feeCoveredMinor?: number;
  discreet?: boolean;
  /** A discreet giver who asked for emails after all. */
  emailReceipts?: boolean;
  reminderId?: string;
  visitorId?: string;
};

export function toStripeMetadata(input: GiftMetadataInput): Record<string, string> {
  const out: Record<string, string> = {
    kind: GIFT_METADATA_KIND,
    frequency: input.frequency,
    attempt_id: input.attemptId,
    locale: input.locale,
  };
  if (input.articleUrl) out.article_url = input.articleUrl;
  if (input.section) out.section = input.section;
  if (input.campaign) out.campaign = input.campaign;
  if (input.variant) out.variant = input.variant;
  if (input.feeCoveredMinor) out.fee_covered = String(input.feeCoveredMinor);
  if (input.discreet) out.discreet = input.emailReceipts ? "email" : "silent";
  if (input.reminderId) out.reminder_id = input.reminderId;
  if (input.visitorId) out.visitor_id = input.visitorId;

  return out;
}

const text = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => v || null);

const ZGiftMetadata = z.object({
  kind: z.string().optional().catch(undefined),
  frequency: z.enum(["once", "monthly", "annual"]).optional().catch(undefined),
  article_url: text(500),
  section: text(100),
  campaign: text(100),
  variant: text(100),
  locale: text(10),
  fee_covered: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? Number(v) : 0)),
  discreet: z.enum(["silent", "email"]).optional().catch(undefined),
  reminder_id: z.uuid().optional().catch(undefined),
  visitor_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .optional()
    .catch(undefined),
});

/**
 * What the reader chose besides the amount. `discreet: "silent"` means no email at all and no
 * address kept by us; "email" is a discreet gift whose giver asked for receipts.
 */
export type GiftOptions = {
  feeCoveredMinor: number;
  discreet: "silent" | "email" | null;
  reminderId: string | null;
  visitorId: string | null;
};

export type Attribution = { articleUrl: string | null; section: string | null; campaign: string | null; variant: string | null; locale: string | null };

export function readGiftMetadata(metadata: Record<string, string> | null | undefined): {
  isOurs: boolean;
  frequency: "once" | "monthly" | "annual" | null;
  attribution: Attribution;
  options: GiftOptions;
} {
  const parsed = ZGiftMetadata.parse(metadata ?? {});

  return {
    isOurs: parsed.kind === GIFT_METADATA_KIND,
    frequency: parsed.frequency ?? null,
    attribution: {
      articleUrl: parsed.article_url,
      section: parsed.section,
      campaign: parsed.campaign,
      variant: parsed.variant,
      locale: parsed.locale,
    },
    options: {
      feeCoveredMinor: parsed.fee_covered,
      discreet: parsed.discreet ?? null,
      reminderId: parsed.reminder_id ?? null,
      visitorId: parsed.visitor_id ?? null,
    },
  };
}
