import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { CSSProperties, ReactNode } from "react";
import type { Kit } from "../kit";

/**
 * The shared frame of every email: the newsroom's name as a text masthead, the message, and a footer
 * saying who sent it and why. Nothing here loads anything: no images, no web fonts, no remote CSS
 * (readers' mail clients must not contact anyone but us, and preferably not even us). Colours keep
 * at least 7:1 contrast for body text and 4.5:1 for everything else (WCAG AA).
 */

const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const INK = "#1f2328"; // 15.8:1 on white
const MUTED = "#4b5563"; // 7.6:1 on white
const LINK = "#1d4ed8"; // 6.7:1 on white
const ACCENT = "#1b3a6b"; // button; white on it is 11.5:1
const PANEL = "#f3f4f6"; // ink on it is 14.6:1

const styles = {
  body: { backgroundColor: "#ffffff", color: INK, fontFamily: FONT, margin: 0, padding: "24px 0" },
  container: { maxWidth: "560px", margin: "0 auto", padding: "0 20px" },
  masthead: { fontSize: "20px", lineHeight: "28px", fontWeight: 700, color: INK, margin: "0 0 4px" },
  rule: { borderColor: "#d1d5db", margin: "16px 0 24px" },
  heading: { fontSize: "24px", lineHeight: "32px", fontWeight: 700, color: INK, margin: "0 0 16px" },
  subheading: { fontSize: "18px", lineHeight: "26px", fontWeight: 700, color: INK, margin: "24px 0 8px" },
  // A long word (a link written out, a reference) breaks rather than widens the email past a phone's screen.
  paragraph: { fontSize: "16px", lineHeight: "24px", color: INK, margin: "0 0 16px", overflowWrap: "anywhere", wordBreak: "break-word" },
  link: { color: LINK, textDecoration: "underline", overflowWrap: "anywhere", wordBreak: "break-all" },
  buttonRow: { margin: "8px 0 24px" },
  button: { backgroundColor: ACCENT, color: "#ffffff", fontSize: "16px", fontWeight: 600, lineHeight: "24px", borderRadius: "6px", padding: "12px 20px", textDecoration: "none" },
  panel: { backgroundColor: PANEL, borderRadius: "6px", padding: "12px 16px", margin: "0 0 16px" },
  table: { width: "100%", borderCollapse: "collapse" },
  rowHeader: { textAlign: "left", fontWeight: 600, fontSize: "15px", lineHeight: "22px", color: INK, padding: "4px 12px 4px 0", verticalAlign: "top" },
  cell: { textAlign: "left", fontSize: "15px", lineHeight: "22px", color: INK, padding: "4px 0", verticalAlign: "top", overflowWrap: "anywhere", wordBreak: "break-word" },
  footer: { fontSize: "13px", lineHeight: "20px", color: MUTED, margin: "0 0 8px" },
} satisfies Record<string, CSSProperties>;

export function EmailLayout(props: { kit: Kit; title: string; preview: string; why: string; footer?: ReactNode; children: ReactNode }) {
  const { kit } = props;

  return (
    <Html lang={kit.locale} dir="ltr">
      <Head>
        <title>{props.title}</title>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Preview>{props.preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Text style={styles.masthead}>{kit.newsroom}</Text>
          <Hr style={styles.rule} />
          {props.children}
          <Hr style={styles.rule} />
          <Section>
            <Text style={styles.footer}>{kit.t.layout.sentBy(kit.newsroom)}</Text>
            <Text style={styles.footer}>{props.why}</Text>
            {props.footer}
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

export function Title({ children }: { children: ReactNode }) {
  return (
    <Heading as="h1" style={styles.heading}>
      {children}
    </Heading>
  );
}

export function Subtitle({ children }: { children: ReactNode }) {
  return (
    <Heading as="h2" style={styles.subheading}>
      {children}
    </Heading>
  );
}

export function P({ children }: { children: ReactNode }) {
  return <Text style={styles.paragraph}>{children}</Text>;
}

export function FooterText({ children }: { children: ReactNode }) {
  return <Text style={styles.footer}>{children}</Text>;
}

export function TextLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} style={styles.link}>
      {children}
    </Link>
  );
}

/** The one thing the email asks the reader to do, as a button that is a real link with real text. */
export function Action({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Section style={styles.buttonRow}>
      <Button href={href} style={styles.button}>
        {children}
      </Button>
    </Section>
  );
}

/**
 * Label–value pairs (amount, date, reference) as a table with row headers, which screen readers
 * announce as pairs; the plain-text version lays it out in two columns.
 */
export function Details({ label, rows }: { label: string; rows: Array<[string, string] | null | false> }) {
  return (
    <Section style={styles.panel}>
      <table style={styles.table} aria-label={label} data-text-format="dataTable" cellPadding={0} cellSpacing={0}>
        <tbody>
          {rows
            .filter((row): row is [string, string] => Boolean(row))
            .map(([name, value]) => (
              <tr key={name}>
                <th scope="row" style={styles.rowHeader}>
                  {name}
                </th>
                <td style={styles.cell}>{value}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </Section>
  );
}

/** A data table with a caption and column headers (the yearly statement). */
export function DataTable(props: { caption: string; columns: string[]; rows: string[][]; alignEnd?: number[] }) {
  const align = (index: number): CSSProperties => (props.alignEnd?.includes(index) ? { textAlign: "right" } : {});
  // A gutter between columns, none after the last.
  const pad = (index: number): CSSProperties => ({ paddingRight: index < props.columns.length - 1 ? "16px" : "0" });

  return (
    <table style={{ ...styles.table, margin: "0 0 16px" }} data-text-format="dataTable" cellPadding={0} cellSpacing={0}>
      <caption style={{ ...styles.paragraph, textAlign: "left", fontWeight: 600, margin: "0 0 8px" }}>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column, index) => (
            <th key={column} scope="col" style={{ ...styles.rowHeader, borderBottom: "1px solid #9ca3af", ...pad(index), ...align(index) }}>
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row, rowIndex) => (
          <tr key={rowIndex}>
            {row.map((cell, index) => (
              <td key={index} style={{ ...styles.cell, borderBottom: "1px solid #e5e7eb", ...pad(index), ...align(index) }}>
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
