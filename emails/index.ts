import { render, toPlainText } from "@react-email/render";
import { type ComponentType, createElement } from "react";
import { type Kit, kitFor, type RenderContext, type TemplateProps } from "./kit";
import { EMAIL_PROPS_SCHEMAS, type EmailPropsMap, type EmailTemplate } from "./props";
import * as paymentFailed from "./payment-failed";
import * as receiptOneTime from "./receipt-one-time";
import * as receiptRecurring from "./receipt-recurring";
import * as recurringEnded from "./recurring-ended";
import * as recurringEnding from "./recurring-ending";
import * as reminder from "./reminder";
import * as signIn from "./sign-in";
import * as yearlyStatement from "./yearly-statement";

/**
 * The emails, as the outbox uses them: a template's name and its props (JSON, as stored) in; the
 * subject, HTML and plain text out, in the supporter's language. Templates are pure: no I/O, no
 * clock, no environment; the newsroom's name and the locale come in the context.
 */

export type { EmailTemplate } from "./props";
export type { RenderContext } from "./kit";
export type { Locale } from "./messages";
export { resolveLocale } from "./messages";

export type EmailProps<T extends EmailTemplate> = EmailPropsMap[T];

type TemplateModule<P> = {
  default: ComponentType<TemplateProps<P>>;
  subject: (props: P, kit: Kit) => string;
  previewProps: P;
};

const TEMPLATES: { [T in EmailTemplate]: TemplateModule<EmailPropsMap[T]> } = {
  receipt_one_time: receiptOneTime,
  receipt_recurring: receiptRecurring,
  payment_failed: paymentFailed,
  recurring_ending: recurringEnding,
  recurring_ended: recurringEnded,
  reminder,
  sign_in: signIn,
  yearly_statement: yearlyStatement,
};

export const EMAIL_TEMPLATES: readonly EmailTemplate[] = Object.freeze(Object.keys(TEMPLATES) as EmailTemplate[]);

/** The realistic defaults each template is previewed with (and tested with). */
export function previewProps<T extends EmailTemplate>(template: T): EmailProps<T> {
  return structuredClone(TEMPLATES[template].previewProps);
}

// Plain text: headings and table headers as written (html-to-text shouts them by default); the
// preview line, which only inbox lists show, is left out (react-email marks it).
const PLAIN_TEXT = {
  selectors: [
    ...["h1", "h2"].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: '[data-text-format="dataTable"]', format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
};

/**
 * Renders one email. Throws on an unknown template or on props that do not match its schema (the
 * outbox keeps such a message as failed rather than sending a broken one). An unknown locale is not
 * an error: the email is written in English.
 */
export async function renderEmail<T extends EmailTemplate>(
  template: T,
  props: EmailProps<T>,
  context: RenderContext,
): Promise<{ subject: string; html: string; text: string }> {
  if (!Object.hasOwn(TEMPLATES, template)) throw new Error(`unknown email template: ${String(template)}`);
  const definition = TEMPLATES[template] as TemplateModule<EmailProps<T>>;
  const parsed = EMAIL_PROPS_SCHEMAS[template].safeParse(props);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(props)"}: ${issue.message}`).join("; ");
    throw new Error(`invalid props for email ${template}: ${problems}`);
  }
  const valid = parsed.data as EmailProps<T>;
  const kit = kitFor(context);
  // The props were checked against the template's schema just above; React's typing cannot follow T.
  const Component = definition.default as ComponentType<Record<string, unknown>>;
  const html = await render(createElement(Component, { ...valid, ...context }));

  return { subject: definition.subject(valid, kit), html, text: toPlainText(html, PLAIN_TEXT).trim() };
}
