// The opt-out journey end to end: a contact answers STOP through the engine (the sandbox's inbound hook),
// and the next scheduled send skips that number, with the reason in History, while the others get theirs.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/accounts.ts";
import { control, eventually, logRows, tenantWithInstance } from "./_helpers/engine.ts";
import { engineSends, runAt } from "./_helpers/scheduled.ts";

Deno.test("an inbound STOP opts the number out, and a scheduled send skips it with the reason in History", async () => {
  await using app = await startTestApp({ cache: "memory", env: { SCHEDULED_SEND_DELAY_MS: "0" } });
  const owner = await tenantWithInstance(app, "journey_ana", "journey-wa");
  const [stopper, other] = ["595981000701", "595981000702"];

  await control(app).inbound(owner.instance, { from: stopper, text: "STOP" });
  await eventually("the inbound STOP reaches the registry", async () => {
    const r = await call(app, "GET", "/api/opt-outs", { token: owner.token });
    return (r.body.opt_outs as { phone_number: string }[]).some((o) => o.phone_number === stopper);
  });

  const created = await call(app, "POST", "/api/scheduled", {
    token: owner.token,
    body: {
      instance_name: owner.instance,
      recipients: [stopper, other],
      message_content: "Oferta para {{number}}",
      scheduled_at: "2030-02-01T12:00:00Z",
    },
  });
  assertEquals(created.status, 201, JSON.stringify(created.body));
  assertEquals(await runAt(app, "2030-02-01T12:00:01Z"), { messages: 1, sent: 1, failed: 0, skipped: 1 });

  const sent = await engineSends(app.sandbox.url, owner.instance);
  assertEquals(sent, [{ number: other, text: `Oferta para ${other}` }]);
  const rows = await logRows(app, owner.token, `?instance_name=${owner.instance}&direction=outbound`);
  const skipped = rows.find((r) => r.phone_number === stopper);
  assert(skipped, "the skipped recipient has its History row");
  assertEquals([skipped.status, skipped.source], ["cancelled", "scheduled"]);
  assertEquals(skipped.error_message, "Opted out: the recipient asked not to be messaged");
});
