import { assertEquals } from "../core/testing.ts";
import { audit, redact } from "./audit.ts";
import { createTestDatabase } from "../../tests/_helpers/db.ts";

Deno.test("redact drops credential-like fields at any depth and keeps the rest", () => {
  assertEquals(
    redact({
      username: "ana",
      password: "Secret123",
      nested: { new_password: "x", role: "admin", totp_code: "123456" },
      api_key: "k",
      list: [1, 2],
    }),
    { username: "ana", nested: { role: "admin" }, list: [1, 2] },
  );
});

Deno.test("audit writes a row without secrets", async () => {
  await using db = await createTestDatabase();
  await audit(db.sql, {
    userId: null,
    username: "admin",
    action: "user_updated",
    resourceType: "user",
    resourceId: 42,
    details: { role: "admin", password: "Secret123" },
    ip: "10.0.0.1",
  });
  const [row] = await db.sql`SELECT username, action, resource_type, resource_id, details, ip_address
                             FROM taguato.audit_log`;
  assertEquals(row, {
    username: "admin",
    action: "user_updated",
    resource_type: "user",
    resource_id: "42",
    details: { role: "admin" },
    ip_address: "10.0.0.1",
  });
});
