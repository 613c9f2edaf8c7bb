import { assert, assertEquals, assertRejects } from "./testing.ts";
import { loadConfig } from "./config.ts";
import { keyedDigest, keyedDigests, openSecret, sealSecret, SecretBoxError } from "./secret_box.ts";
import { createTestDatabase } from "../../tests/_helpers/db.ts";
import { needs } from "../../tests/_helpers/services.ts";

const APP_SECRET = "an-application-secret-of-at-least-32-chars";

const onPostgres = needs("postgres");
onPostgres.test("the secret box seals per purpose with a random IV, detects tampering, and keeps its key in the database or APP_SECRET", async (t) => {
  const db = await createTestDatabase();
  const dbOnly = { config: loadConfig({}), sql: db.sql };
  const withAppSecret = { config: loadConfig({ APP_SECRET }), sql: db.sql };
  try {
    await t.step("seals and opens a value; every seal differs (random IV)", async () => {
      const a = await sealSecret(dbOnly, "totp", "JBSWY3DPEHPK3PXP");
      const b = await sealSecret(dbOnly, "totp", "JBSWY3DPEHPK3PXP");
      assert(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/.test(a), a);
      assert(a !== b);
      assert(!a.includes("JBSWY3DP"));
      assertEquals(await openSecret(dbOnly, "totp", a), "JBSWY3DPEHPK3PXP");
    });

    await t.step("the database key is created by migration 0007 and survives a new process", async () => {
      const [row] = await db
        .sql`SELECT octet_length(value) AS n FROM taguato.app_secrets WHERE name = 'master'`;
      assertEquals(row.n, 32);
      const sealed = await sealSecret(dbOnly, "totp", "x");
      // A fresh deps object on another pool (another replica) reads the same row.
      const { connect } = await import("./db.ts");
      const other = connect(db.url, 1);
      try {
        assertEquals(await openSecret({ config: loadConfig({}), sql: other }, "totp", sealed), "x");
      } finally {
        await other.end();
      }
    });

    await t.step("a value sealed for one purpose does not open for another", async () => {
      const sealed = await sealSecret(dbOnly, "totp", "secret");
      await assertRejects(() => openSecret(dbOnly, "totp_pending", sealed), SecretBoxError);
    });

    await t.step("tampering is detected", async () => {
      const sealed = await sealSecret(dbOnly, "totp", "secret");
      const last = sealed.at(-2) === "A" ? "B" : "A";
      const tampered = sealed.slice(0, -2) + last + sealed.at(-1);
      await assertRejects(() => openSecret(dbOnly, "totp", tampered), SecretBoxError);
      await assertRejects(() => openSecret(dbOnly, "totp", "plain"), SecretBoxError);
      await assertRejects(() => openSecret(dbOnly, "totp", "v1.!!.??"), SecretBoxError);
    });

    await t.step("APP_SECRET seals with its own key and still opens older database-key values", async () => {
      const old = await sealSecret(dbOnly, "totp", "old");
      const fresh = await sealSecret(withAppSecret, "totp", "new");
      assertEquals(await openSecret(withAppSecret, "totp", old), "old");
      assertEquals(await openSecret(withAppSecret, "totp", fresh), "new");
      // Without APP_SECRET the new value cannot be opened: the key really is APP_SECRET's.
      await assertRejects(() => openSecret(dbOnly, "totp", fresh), SecretBoxError);
    });

    await t.step("keyed digests are stable per key and purpose, and list every key", async () => {
      const d1 = await keyedDigest(dbOnly, "recovery", "abc");
      assert(/^[0-9a-f]{64}$/.test(d1));
      assertEquals(await keyedDigest(dbOnly, "recovery", "abc"), d1);
      assert(d1 !== await keyedDigest(dbOnly, "other", "abc"));
      const all = await keyedDigests(withAppSecret, "recovery", "abc");
      assertEquals(all.length, 2);
      assertEquals(all[1], d1);
      assert(all[0] !== d1);
    });
  } finally {
    await db.drop();
  }
});
