import type { Metadata } from "next";
import { listStaff } from "@/lib/staff/manage";
import { readAsAdmin } from "../_components/admin-access";
import { RevokeButton } from "../_components/revoke-button";
import { When } from "../_components/when";
import "../_components/admin-pages.css";
import { revokeRoleAction } from "./actions";
import { GrantForm } from "./grant-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Staff", robots: { index: false, follow: false } };

/**
 * /finance/staff: who has a staff role. The admins ADMIN_EMAILS names (changed only there), the
 * roles admins granted, with a Revoke on each, and the form to grant one. Admins only: nobody is
 * sent to sign in, anyone else gets the 403 of forbidden.tsx; listStaff checks the role again.
 */
export default async function StaffPage() {
  const view = await readAsAdmin("/finance/staff", listStaff);
  const { configured, granted } = view.data;
  const me = view.actor.kind === "supporter" ? view.actor.email : null;

  return (
    <section className="thanks finance-page" lang="en" aria-labelledby="staff-heading" data-testid="staff-page">
      <h1 id="staff-heading">Staff</h1>
      <p>
        Finance staff read and export the newsroom&apos;s money. Admins also manage staff and API tokens and read the audit log. A change counts from
        the person&apos;s next page.
      </p>

      <section aria-labelledby="configured-heading">
        <h2 id="configured-heading">Admins by configuration</h2>
        <p className="hint">Named in ADMIN_EMAILS on the server: changed there, not here.</p>
        <ul data-testid="configured-admins">
          {configured.map((email) => (
            <li key={email}>{email}</li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="granted-heading">
        <h2 id="granted-heading">Granted roles</h2>
        {granted.length === 0 ? (
          <p>No one has been granted a role yet.</p>
        ) : (
          <div className="table-scroll" role="region" aria-labelledby="granted-heading" tabIndex={0}>
            <table data-testid="granted-roles">
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Role</th>
                  <th scope="col">Granted by</th>
                  <th scope="col">Since</th>
                  <th scope="col">
                    <span className="visually-hidden">Revoke</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {granted.map((member, i) => (
                  <tr key={member.email}>
                    <th scope="row">{member.email}</th>
                    <td>{member.role}</td>
                    <td>{member.grantedBy}</td>
                    <td>
                      <When at={member.grantedAt} />
                    </td>
                    <td>
                      {member.email === me ? (
                        <span className="hint">You (another admin can revoke your role)</span>
                      ) : (
                        <RevokeButton action={revokeRoleAction} fields={{ email: member.email }} id={`revoke-role-${i}`} what={`the ${member.role} role of ${member.email}`} />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <GrantForm />
    </section>
  );
}
