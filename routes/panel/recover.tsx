import { Island } from "../../components/Island.tsx";
import { definePage } from "./_layout.tsx";

/** `/panel/recover`: password recovery by a code sent over e-mail or WhatsApp (contract §2.7). */
export const recoverPage = definePage({
  path: "/recover",
  access: "public",
  layout: "auth",
  title: "recover.title",
  subtitle: "recover.subtitle",
  render: (c) => <Island name="RecoveryWizard" props={{ locale: c.get("locale") }} />,
});
