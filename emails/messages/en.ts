import type { AnyFrequency, RecurringFrequency } from "../props";
import { plural } from "./plural";

/**
 * English copy: the reference dictionary. Its shape is the type every other locale must match
 * (`Messages`), so a key missing from another locale, or a sentence taking other arguments, does not
 * compile. Amounts and dates arrive already formatted for the locale; sentences take whole values so
 * each language can order and inflect them its own way.
 *
 * Subjects and previews show on lock screens: they name at most the amount and the newsroom, never
 * what the money was for.
 */

type Gift = { amount: string; frequency: RecurringFrequency };

const adjective: Record<RecurringFrequency, string> = { monthly: "monthly", annual: "annual" };
const period: Record<RecurringFrequency, string> = { monthly: "month", annual: "year" };
const giftOf = ({ amount, frequency }: Gift) => `${adjective[frequency]} gift of ${amount}`;

export const en = {
  layout: {
    sentBy: (newsroom: string) => `This email was sent by ${newsroom}.`,
  },
  greeting: (name: string | null) => (name ? `Dear ${name},` : "Hello,"),
  signOff: (newsroom: string) => `With thanks from all of us at ${newsroom}`,
  whyGave: (newsroom: string) => `You are receiving this email because you gave to ${newsroom}.`,
  whyRecurring: (newsroom: string) => `You are receiving this email because you have a recurring gift to ${newsroom}.`,
  details: {
    label: "Details",
    amount: "Amount",
    date: "Date",
    frequency: "Gift",
    period: "Period covered",
    nextPayment: "Next payment",
    reference: "Receipt reference",
  },
  frequencyName: { once: "One-time", monthly: "Monthly", annual: "Annual" } satisfies Record<AnyFrequency, string>,

  receiptOneTime: {
    subject: (p: { amount: string; newsroom: string }) => `Your receipt: ${p.amount} to ${p.newsroom}`,
    preview: "Thank you for your gift. This is your receipt.",
    heading: "Thank you for your gift",
    received: (p: { amount: string }) => `We have received your gift of ${p.amount}. Thank you: it is readers like you who keep our journalism going.`,
    keep: "This email is your receipt. Please keep it for your records.",
  },

  receiptRecurring: {
    subjectFirst: (p: Gift & { newsroom: string }) => `Your ${adjective[p.frequency]} gift has started: ${p.amount} to ${p.newsroom}`,
    subjectRenewal: (p: { amount: string; newsroom: string }) => `Your receipt: ${p.amount} to ${p.newsroom}`,
    preview: "Thank you for your support. This is your receipt.",
    headingFirst: (p: { frequency: RecurringFrequency }) => `Your ${adjective[p.frequency]} gift has started`,
    headingRenewal: "Thank you for your continued support",
    receivedFirst: (p: Gift) => `Thank you for becoming a regular supporter. We have received the first payment of your ${giftOf(p)}.`,
    receivedRenewal: (p: Gift) => `We have received this ${period[p.frequency]}’s payment of your ${giftOf(p)}. Thank you for staying with us.`,
    keep: "This email is your receipt. Please keep it for your records.",
    manage: "Change, pause or cancel your gift",
    manageNote: "This link opens your gift without signing in, for 30 days: please do not forward this email.",
  },

  paymentFailed: {
    subject: (p: { amount: string }) => `Your payment of ${p.amount} did not go through`,
    preview: "Here is what happens next.",
    heading: "Your payment did not go through",
    failed: (p: Gift) =>
      `We tried to take this ${period[p.frequency]}’s payment for your ${giftOf(p)}, but it did not go through. This happens: cards expire, and banks sometimes decline a payment.`,
    attempts: (count: number) => `We have tried ${count} times so far.`,
    retry: (p: { date: string }) => `We will try again on ${p.date}. If your card has changed, you can give us the new one before then.`,
    noRetry: "We will not try again. If you would like to keep your gift going, you can pay with another card.",
    button: "Pay with another card",
    alreadyDone: "If you have already sorted this out, you can ignore this email.",
    manage: "Update the card for future payments",
  },

  recurringEnding: {
    subject: (p: Gift & { date: string }) => `Your ${giftOf(p)} ends on ${p.date}`,
    preview: "No further payments will be taken.",
    heading: "Your gift is set to end",
    ends: (p: Gift & { date: string; newsroom: string }) => `Your ${giftOf(p)} to ${p.newsroom} is set to end on ${p.date}. No further payments will be taken.`,
    thanks: "Thank you for supporting us all this time. It has made a real difference.",
    undo: (p: { date: string }) => `Changed your mind? You can keep your gift going until ${p.date}.`,
    undoButton: "Keep my gift",
  },

  recurringEnded: {
    subject: (p: { frequency: RecurringFrequency }) => `Your ${adjective[p.frequency]} gift has ended`,
    preview: "No further payments will be taken.",
    heading: (p: { frequency: RecurringFrequency }) => `Your ${adjective[p.frequency]} gift has ended`,
    ended: {
      cancellation_requested: (p: Gift & { date: string }) => `As you asked, your ${giftOf(p)} ended on ${p.date}. No further payments will be taken.`,
      payment_failed: (p: Gift & { date: string }) =>
        `Your ${giftOf(p)} ended on ${p.date} because we could not collect its payment, even after several tries. No further payments will be taken.`,
      payment_disputed: (p: Gift & { date: string }) =>
        `Your ${giftOf(p)} ended on ${p.date} because one of its payments was disputed with the card’s bank. No further payments will be taken.`,
      other: (p: Gift & { date: string }) => `Your ${giftOf(p)} ended on ${p.date}. No further payments will be taken.`,
    },
    thanks: "Thank you for everything you have given.",
    restartAfterFailure: "If you would like to keep supporting us, you can start your gift again, with the same card or another one.",
    restart: "If you would ever like to give again, you can start a new gift at any time.",
    buttonAfterFailure: "Start your gift again",
    button: "Start a new gift",
  },

  reminder: {
    subject: "The reminder you asked for",
    preview: "Here is the reminder you asked us to send.",
    heading: "Here is your reminder",
    asked: (p: { newsroom: string }) => `You asked us to remind you about supporting ${p.newsroom}.`,
    chosen: (p: { frequency: AnyFrequency; amount: string | null }) => {
      const kind = { once: "a one-time gift", monthly: "a monthly gift", annual: "an annual gift" }[p.frequency];

      return p.amount ? `You had chosen ${kind} of ${p.amount}.` : `You had chosen ${kind}.`;
    },
    invite: "Whenever you are ready, you can pick up where you left off. It takes a minute.",
    button: "Continue your gift",
    changedMind: "Changed your mind?",
    cancel: "Cancel this reminder",
    why: (newsroom: string) => `You are receiving this email because you asked ${newsroom} to remind you about a gift.`,
    unsubscribe: "Unsubscribe from these emails",
  },

  signIn: {
    subject: "Your sign-in link",
    preview: (p: { minutes: number }) => `This link works for ${minutes(p.minutes)}.`,
    heading: "Sign in",
    intro: (p: { newsroom: string; minutes: number }) => `Here is your link to sign in to ${p.newsroom}. It works for ${minutes(p.minutes)}.`,
    button: (p: { newsroom: string }) => `Sign in to ${p.newsroom}`,
    copy: "If the button does not work, copy this address into your browser:",
    doNotForward: "Please do not forward this email: whoever opens the link is signed in.",
    notYou: "If you did not ask to sign in, you can ignore this email.",
    why: (newsroom: string) => `You are receiving this email because someone, probably you, asked to sign in to ${newsroom} with this address.`,
  },

  yearlyStatement: {
    subject: (p: { year: number }) => `Your statement for ${p.year}`,
    preview: (p: { year: number }) => `Every gift you made in ${p.year}, with totals.`,
    heading: (p: { year: number }) => `Your gifts in ${p.year}`,
    intro: (p: { year: number; newsroom: string }) => `Thank you for supporting ${p.newsroom} in ${p.year}. Here is every gift we received from you that year.`,
    caption: (p: { year: number }) => `Gifts in ${p.year}`,
    columns: { date: "Date", gift: "Gift", amount: "Amount", returned: "Given back" },
    none: "We have no gifts from you on record for this year.",
    returned: (p: { amount: string }) => `−${p.amount}`,
    totalDetail: (p: { paid: string; returned: string }) => `${p.paid} given, less ${p.returned} refunded or taken back by your bank`,
    netted: "Refunds, and payments your bank took back after a dispute, are subtracted from the totals.",
    totalsHeading: "Totals",
    total: (p: { currency: string }) => `Total in ${p.currency}`,
    perCurrency: "Totals are per currency, as you gave: amounts in different currencies are not added together.",
    keep: "Please keep this statement for your records.",
    why: (p: { newsroom: string; year: number }) => `You are receiving this email because you gave to ${p.newsroom} in ${p.year}.`,
  },
};

function minutes(count: number): string {
  return `${count} ${plural("en", count, { one: "minute", other: "minutes" })}`;
}

export type Messages = typeof en;
