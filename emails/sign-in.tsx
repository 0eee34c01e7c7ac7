import { Action, EmailLayout, P, TextLink, Title } from "./components/layout";
import { type Kit, kitFor, type TemplateProps } from "./kit";
import type { SignInProps } from "./props";

/** A sign-in link: how long it works, not to forward it, and "if it wasn't you, ignore this". */

export const previewProps: SignInProps = {
  // Our confirm page (lib/auth/sign-in-email.ts), never Auth.js's callback: opening it spends nothing.
  signInUrl: "http://localhost:3000/sign-in/confirm?token=5c1f0e9b7a3d48e2a7c4f0d1b2e3a4c5&email=anna%40example.org",
  expiresInMinutes: 10,
};

export function subject(_props: SignInProps, kit: Kit): string {
  return kit.t.signIn.subject;
}

export default function SignInEmail(props: TemplateProps<SignInProps>) {
  const kit = kitFor(props);
  const m = kit.t.signIn;

  return (
    <EmailLayout kit={kit} title={subject(props, kit)} preview={m.preview({ minutes: props.expiresInMinutes })} why={m.why(kit.newsroom)}>
      <Title>{m.heading}</Title>
      <P>{kit.t.greeting(null)}</P>
      <P>{m.intro({ newsroom: kit.newsroom, minutes: props.expiresInMinutes })}</P>
      <Action href={props.signInUrl}>{m.button({ newsroom: kit.newsroom })}</Action>
      <P>{m.copy}</P>
      <P>
        <TextLink href={props.signInUrl}>{props.signInUrl}</TextLink>
      </P>
      <P>{m.doNotForward}</P>
      <P>{m.notYou}</P>
    </EmailLayout>
  );
}

SignInEmail.PreviewProps = previewProps;
