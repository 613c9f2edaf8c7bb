import { assert, assertEquals, assertRejects, assertStringIncludes } from "./testing.ts";
import { DatabaseUnavailableError, openDatabase } from "./db.ts";
import { migrate } from "./migrate.ts";

Deno.test("the embedded database runs the migrations and keeps data across restarts", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "taguato-embedded-" });
  try {
    const first = await openDatabase({ dataDir });
    assertEquals(first.mode, "embedded");
    const applied = await migrate(first.sql);
    assert(applied.length > 0, "no migration applied on an empty embedded database");
    await first.sql`INSERT INTO taguato.services (name, description, display_order) VALUES ('Extra', 'x', 9)`;
    // Transactions work through the socket exactly as on a real server.
    await first.sql.begin(async (tx) => {
      await tx`UPDATE taguato.services SET description = 'in tx' WHERE name = 'Extra'`;
    });
    const [{ digest }] = await first.sql`SELECT encode(digest('abc', 'sha256'), 'hex') AS digest`;
    assertEquals(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      assertEquals(await migrate(second.sql), []);
      const [row] = await second.sql`SELECT description FROM taguato.services WHERE name = 'Extra'`;
      assertEquals(row.description, "in tx");
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a second process cannot open an embedded data directory in use", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "taguato-embedded-" });
  const db = await openDatabase({ dataDir });
  try {
    const script = `import { openDatabase } from ${JSON.stringify(new URL("./db.ts", import.meta.url).href)};
      try { await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }); console.log("opened"); }
      catch (e) { console.log(e.name + ": " + e.message); }
      // The abandoned lock() call would keep the process alive; main.ts exits the same way.
      Deno.exit(0);`;
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], stdout: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assertStringIncludes(text, `DatabaseUnavailableError: the embedded database in ${dataDir} is in use`);
  } finally {
    await db.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("an unreachable DATABASE_URL fails with one readable line", async () => {
  const err = await assertRejects(
    () => openDatabase({ url: "postgres://nobody:secret@127.0.0.1:1/x", dataDir: "unused" }),
    DatabaseUnavailableError,
  );
  assertStringIncludes(err.message, "cannot connect to PostgreSQL at postgres://nobody:***@127.0.0.1:1/x");
  assertEquals(err.message.includes("secret"), false);
  assertEquals(err.message.includes("\n"), false);
});
