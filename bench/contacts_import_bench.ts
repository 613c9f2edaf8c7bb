/**
 * CSV import of 50,000 rows (the largest file the import takes) into an empty list, through the real route
 * (parse, duplicate check, one INSERT in one transaction), and the parse alone to show what the database
 * part costs. Real PostgreSQL, like the tests.
 */
import { startTestApp } from "../tests/_helpers/app.ts";
import { call, createUser, login } from "../tests/_helpers/auth_client.ts";
import { parseContactsCsv } from "../lib/messaging/mod.ts";

const app = await startTestApp({ cache: "memory" });
await createUser(app, "bench_csv", "Passw0rd-bench");
const token = await login(app, "bench_csv", "Passw0rd-bench");
const lines = ["numero;nombre;ciudad;plan"];
for (let i = 0; i < 50_000; i++) {
  lines.push(`5959810${String(i).padStart(5, "0")};Cliente ${i};Asunción;gold`);
}
const csv = new TextEncoder().encode(lines.join("\n"));

Deno.bench({ name: "parse 50,000 CSV rows", group: "csv", baseline: true, n: 10, warmup: 2 }, () => {
  parseContactsCsv(csv);
});

Deno.bench(
  { name: "POST /api/contacts/{id}/import, 50,000 rows", group: "csv", n: 10, warmup: 1 },
  async (b) => {
    const list = await call(app, "POST", "/api/contacts", { token, body: { name: "bench" } });
    const id = (list.body.list as { id: number }).id;
    b.start();
    const res = await fetch(`${app.url}/api/contacts/${id}/import`, {
      method: "POST",
      headers: { apikey: token, "content-type": "text/csv" },
      body: csv,
    });
    const body = await res.json();
    b.end();
    if (body.accepted !== 50_000) throw new Error(`imported ${body.accepted}`);
    await call(app, "DELETE", `/api/contacts/${id}`, { token });
  },
);

globalThis.addEventListener("unload", () => app.close());
