import type { Metadata } from "next";
import { AdminsOnly } from "../../_components/admins-only";

export const metadata: Metadata = { title: "For admins" };

/** The 403 this page answers to anyone signed in without the admin role (forbidden()). */
export default function Forbidden() {
  return <AdminsOnly />;
}
