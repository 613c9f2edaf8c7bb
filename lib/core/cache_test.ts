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

  test("getLinked answers the same with a right, a wrong or a useless guess of the field's value", async (cache) => {
    await cache.set("cred:a", JSON.stringify({ t: "s", u: 42 }));
    await cache.set("user:42", "the user");
    await cache.set("user:7", "someone else");
    await cache.set("acl:7", "theirs");
    const expected = { value: JSON.stringify({ t: "s", u: 42 }), linked: ["the user", null] };
    for (const guess of [undefined, "42", "7", "nobody"]) {
      assertEquals(
        await cache.getLinked("cred:a", "u", ["user:", "acl:"], guess),
        expected,
        `guess ${guess}`,
      );
      assertEquals(await cache.getLinked("cred:none", "u", ["user:"], guess), { value: null, linked: [] });
    }
    for (const value of ["x", JSON.stringify({ id: 7 }), JSON.stringify({ u: "7" })]) {
      await cache.set("cred:c", value);
      const linked = value.includes('"u"') ? ["someone else"] : [];
      assertEquals(await cache.getLinked("cred:c", "u", ["user:"], "42"), { value, linked });
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

needs("redis").test("redis cache commands start no timer of the client's own", async () => {
  // Every command is bounded by one sweeper (withTimeout); node-redis's own default would start an
  // AbortSignal.timeout per command that lives until it fires.
  const cache = await createRedisCache(REDIS_URL, `taguato-test:${crypto.randomUUID()}:`);
  const original = AbortSignal.timeout;
  let started = 0;
  AbortSignal.timeout = (ms) => (started++, original(ms));
  try {
    await cache.set("k", "v", 5_000);
    await Promise.all(Array.from({ length: 50 }, () => cache.get("k")));
    await cache.getLinked("k", "u", ["user:"]);
    await cache.hit("n", 1_000);
    assertEquals(started, 0);
  } finally {
    AbortSignal.timeout = original;
    await cache.close();
  }
});

/** A Redis stand-in on loopback that answers each command (PING with PONG, GET with nil, else OK) until `stall`. */
function stallingRedis() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { stall: false, commands: 0 };
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      (async () => {
        let text = "";
        const decoder = new TextDecoder();
        for await (const chunk of conn.readable) {
          text += decoder.decode(chunk);
          // One RESP array per command: *<n>, then n bulk strings ($<len>, data).
          for (let m; (m = /^\*(\d+)\r\n/.exec(text));) {
            const lines = text.split("\r\n");
            const n = Number(m[1]);
            if (lines.length < 1 + 2 * n + 1) break;
            const name = lines[2].toUpperCase();
            text = lines.slice(1 + 2 * n).join("\r\n");
            state.commands++;
            if (state.stall) continue;
            const reply = name === "PING" ? "+PONG\r\n" : name === "GET" ? "$-1\r\n" : "+OK\r\n";
            await conn.write(new TextEncoder().encode(reply));
          }
        }
      })().catch(() => {});
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    state,
    close() {
      listener.close();
      for (const c of conns) c.close();
    },
  };
}

Deno.test("a redis cache whose server stops answering falls back to memory after its command timeout", async () => {
  const server = stallingRedis();
  const cache = await createRedisCache(server.url, "t:", { commandTimeoutMs: 100 });
  try {
    assertEquals(await cache.ping(), true);
    assertEquals(await cache.get("a"), null);
    server.state.stall = true;
    const before = server.state.commands;
    // The stalled set is answered by the memory store, and later reads stay there while Redis is silent.
    const settled = await Promise.race([
      cache.set("a", "local", 5_000).then(() => "answered"),
      new Promise((r) => setTimeout(() => r("hung"), 3_000)),
    ]);
    assertEquals(settled, "answered");
    assert(server.state.commands > before, "the set was sent to the stalled server first");
    assertEquals(await cache.get("a"), "local");
    assertEquals(await cache.ping(), false);
  } finally {
    server.close();
    await cache.close().catch(() => {});
  }
});
