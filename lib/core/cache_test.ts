import { assert, assertEquals } from "./testing.ts";
import { type Cache, createMemoryCache, createRedisCache } from "./cache.ts";
import { needs } from "../../tests/_helpers/services.ts";

const REDIS_URL = Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// One suite, two implementations: the in-memory cache must behave exactly like Redis.
const implementations: [string, () => Promise<Cache>][] = [
  ["memory", () => Promise.resolve(createMemoryCache())],
  ["redis", () => createRedisCache(REDIS_URL, `taguato-test:${crypto.randomUUID()}:`)],
];

for (const [kind, open] of implementations) {
  const test = (name: string, fn: (cache: Cache) => Promise<void>) =>
    needs(...(kind === "redis" ? ["redis" as const] : [])).test(`${kind} cache ${name}`, async () => {
      const cache = await open();
      try {
        await fn(cache);
      } finally {
        await cache.close();
      }
    });

  test("reports its kind and answers ping", async (cache) => {
    assertEquals(cache.kind, kind);
    assertEquals(await cache.ping(), true);
  });

  test("getLinked reads a JSON entry and the keys its field points at, in the given order", async (cache) => {
    assertEquals(await cache.getLinked("cred:none", "u", ["user:", "acl:"]), { value: null, linked: [] });
    await cache.set("cred:a", JSON.stringify({ t: "s", u: 42 }));
    await cache.set("user:42", "the user");
    assertEquals(await cache.getLinked("cred:a", "u", ["user:", "acl:"]), {
      value: JSON.stringify({ t: "s", u: 42 }),
      linked: ["the user", null],
    });
    await cache.set("acl:42", "[]");
    assertEquals((await cache.getLinked("cred:a", "u", ["acl:", "user:"])).linked, ["[]", "the user"]);
    // String ids link too; a tombstone, a non-JSON value or a JSON value without the field links nothing.
    await cache.set("cred:b", JSON.stringify({ u: "42" }));
    assertEquals((await cache.getLinked("cred:b", "u", ["user:"])).linked, ["the user"]);
    for (const value of ["x", "{not json", JSON.stringify({ id: 42 }), "[42]"]) {
      await cache.set("cred:c", value);
      assertEquals(await cache.getLinked("cred:c", "u", ["user:"]), { value, linked: [] });
    }
  });

  test("get returns what set stored and null for a missing key", async (cache) => {
    assertEquals(await cache.get("missing"), null);
    await cache.set("k", "v1");
    assertEquals(await cache.get("k"), "v1");
    await cache.set("k", "v2");
    assertEquals(await cache.get("k"), "v2");
  });

  test("a value set with a TTL disappears after it", async (cache) => {
    await cache.set("short", "x", 60);
    await cache.set("long", "y", 10_000);
    assertEquals(await cache.get("short"), "x");
    await sleep(120);
    assertEquals(await cache.get("short"), null);
    assertEquals(await cache.get("long"), "y");
  });

  test("del removes several keys and ignores missing ones", async (cache) => {
    await cache.set("a", "1");
    await cache.set("b", "2");
    await cache.del("a", "b", "never-set");
    assertEquals([await cache.get("a"), await cache.get("b")], [null, null]);
    await cache.del();
  });

  test("setIfAbsent stores only once until the key expires", async (cache) => {
    assertEquals(await cache.setIfAbsent("lock", "p1", 80), true);
    assertEquals(await cache.setIfAbsent("lock", "p2", 80), false);
    assertEquals(await cache.get("lock"), "p1");
    await sleep(150);
    assertEquals(await cache.setIfAbsent("lock", "p3", 80), true);
    assertEquals(await cache.get("lock"), "p3");
  });

  test("hit counts within a fixed window and starts over after it", async (cache) => {
    const first = await cache.hit("rl", 150);
    assertEquals(first.count, 1);
    assert(first.resetMs > 0 && first.resetMs <= 150, `resetMs ${first.resetMs}`);
    assertEquals((await cache.hit("rl", 150)).count, 2);
    const third = await cache.hit("rl", 150);
    assertEquals(third.count, 3);
    // The window is fixed: later hits do not push its end further away.
    assert(third.resetMs <= first.resetMs, `${third.resetMs} > ${first.resetMs}`);
    await sleep(220);
    assertEquals((await cache.hit("rl", 150)).count, 1);
  });

  test("hit is atomic under 200 concurrent callers", async (cache) => {
    const results = await Promise.all(Array.from({ length: 200 }, () => cache.hit("burst", 10_000)));
    const counts = results.map((r) => r.count).sort((a, b) => a - b);
    assertEquals(counts, Array.from({ length: 200 }, (_, i) => i + 1));
  });
}

needs("redis").test("two redis caches with different prefixes do not see each other's keys", async () => {
  const a = await createRedisCache(REDIS_URL, `taguato-test:${crypto.randomUUID()}:`);
  const b = await createRedisCache(REDIS_URL, `taguato-test:${crypto.randomUUID()}:`);
  try {
    await a.set("shared", "from-a", 5_000);
    assertEquals(await b.get("shared"), null);
    assertEquals(await a.get("shared"), "from-a");
  } finally {
    await a.close();
    await b.close();
  }
});
