import { Island } from "../../components/Island.tsx";
import { NOTICES } from "../../islands/LoginForm.tsx";
import { definePage } from "./_layout.tsx";
import { safeNext } from "./_middleware.ts";

type Notice = typeof NOTICES[number];
const isNotice = (v: unknown): v is Notice => NOTICES.includes(v as Notice);

/** `/panel/login`: username and password, then the 2FA code when the account has it. */
export const loginPage = definePage({
  path: "/login",
  access: "public",
  layout: "auth",
  title: "login.title",
  subtitle: "login.subtitle",
  render(c) {
    const origin = new URL(c.req.url).origin;
    const notice = c.req.query("notice");
    return (
      <Island
        name="LoginForm"
        props={{
          locale: c.get("locale"),
          // Checked here so the island can follow it blindly: only same-origin panel paths survive.
          next: safeNext(c.req.query("next"), origin) ?? "/panel/",
          notice: isNotice(notice) ? notice : undefined,
        }}
      />
    );
  },
});
