import type { Messages } from "@/lib/i18n";
import type { SignInFormText } from "./sign-in-form";

/** What the form needs of the page's messages (a client component gets plain strings). */
export const formTextOf = (m: Messages): SignInFormText => ({
  emailLabel: m.signIn.emailLabel,
  emailHint: m.signIn.emailHint,
  submit: m.signIn.submit,
  sending: m.signIn.sending,
  checking: m.signIn.checking,
  errors: m.signIn.errors,
});

type Params = Record<string, string | string[] | undefined>;

/** One value of a query parameter (the first, if repeated). */
export const param = (params: Params, name: string): string | undefined => {
  const raw = params[name];

  return Array.isArray(raw) ? raw[0] : raw;
};
