import type { Metadata } from "next";
import { listTokens } from "@/lib/finance/tokens";
import { readAsAdmin } from "../_components/admin-access";
import { RevokeButton } from "../_components/revoke-button";
import { When } from "../_components/when";
import "../_components/admin-pages.css";
import { revokeTokenAction } from "./actions";
import { CreateTokenForm } from "./create-token-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens", robots: { index: false, follow: false } };

/**
 * /finance/tokens: the bearer tokens accounting tools read the finance summary with. Each is shown
 * once, when made; the list has its first characters to tell them apart. Admins only: nobody is
 * sent to sign in, anyone else gets the 403 of forbidden.tsx; listTokens checks the role again.
 */
export default async function TokensPage() {
  const view = await readAsAdmin("/finance/tokens", listTokens);
  const tokens = view.data;

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="tokens-heading" data-testid="tokens-page">
      <h1 id="tokens-heading">API tokens</h1>
      <p>
        An accounting tool sends its token as <code>Authorization: Bearer rf_fin_…</code>. Revoking one stops it at once, for good.
      </p>

      <CreateTokenForm />

      <section aria-labelledby="token-list-heading">
        <h2 id="token-list-heading">Tokens</h2>
        {tokens.length === 0 ? (
          <p>No tokens yet.</p>
        ) : (
          <div className="table-scroll" role="region" aria-labelledby="token-list-heading" tabIndex={0}>
            <table data-testid="token-list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Begins</th>
                  <th scope="col">Made</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token, i) => (
                  <tr key={token.id}>
                    <th scope="row">{token.name}</th>
                    <td>
                      <code>{token.prefix}…</code>
                    </td>
                    <td>
                      <When at={token.createdAt} /> by {token.createdBy}
                    </td>
                    <td>
                      <When at={token.lastUsedAt} />
                    </td>
                    <td>
                      {token.revokedAt ? (
                        <>
                          Revoked <When at={token.revokedAt} /> by {token.revokedBy}
                        </>
                      ) : (
                        <>
                          Active{" "}
                          <RevokeButton
                            action={revokeTokenAction}
                            fields={{ id: token.id }}
                            id={`revoke-token-${i}`}
                            what={`the token ${token.name} (${token.prefix}…)`}
                            confirm={`Revoke “${token.name}”? The tool using it stops working at once; this cannot be undone.`}
                          />
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
