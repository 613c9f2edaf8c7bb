import { assertEquals, assertRejects } from "../core/testing.ts";
import { HttpError } from "../core/mod.ts";
import { fetchMedia, type MediaFetchOptions } from "./media_fetch.ts";

interface Server {
  url: string;
  port: number;
  hits: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

function serve(hostname: string, handler: (req: Request) => Response): Server {
  const hits: string[] = [];
  const server = Deno.serve({ hostname, port: 0, onListen: () => {} }, (req) => {
    hits.push(`${req.headers.get("host")} ${new URL(req.url).pathname}`);
    return handler(req);
  });
  return {
    url: `http://${hostname}:${server.addr.port}`,
    port: server.addr.port,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

async function refused(promise: Promise<unknown>, code: string) {
  const err = await assertRejects(() => promise, HttpError);
  assertEquals((err as HttpError).code, code);
}

// Only 127.0.0.1 counts as allowed: the rest of 127/8 stands for "private" in these tests.
const onlyFirstLoopback: MediaFetchOptions = {
  allowPrivate: true,
  addressAllowed: (ip) => ip === "127.0.0.1",
};

Deno.test("fetchMedia refuses non-https, private literals and names that resolve to private addresses", async () => {
  await using media = serve("127.0.0.1", () => new Response("x"));
  const strict = { allowPrivate: false };
  await refused(fetchMedia(`${media.url}/a.png`, "media", strict), "media_url_private");
  await refused(fetchMedia(`https://127.0.0.1:${media.port}/a.png`, "media", strict), "media_url_private");
  await refused(fetchMedia("https://[::1]/a.png", "media", strict), "media_url_private");
  await refused(fetchMedia("https://user:pw@cdn.example.com/a.png", "media", strict), "media_url_private");
  const rebinding = { allowPrivate: false, resolve: () => Promise.resolve(["93.184.216.34", "127.0.0.1"]) };
  await refused(fetchMedia("https://cdn.example.com/a.png", "media", rebinding), "media_url_private");
  const nowhere = { allowPrivate: false, resolve: () => Promise.resolve([]) };
  await refused(fetchMedia("https://nowhere.example.com/a.png", "media", nowhere), "media_url_unresolvable");
  assertEquals(media.hits, []);
});

Deno.test("fetchMedia connects to the address it checked, once resolved, and returns base64 with the type", async () => {
  await using media = serve(
    "127.0.0.1",
    () => new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "image/png; q=1" } }),
  );
  const lookups: string[] = [];
  const resolve = (host: string) => {
    lookups.push(host);
    return Promise.resolve(["127.0.0.1"]);
  };
  const got = await fetchMedia(`http://media.invalid:${media.port}/pics/a%20b.png`, "media", {
    ...onlyFirstLoopback,
    resolve,
  });
  assertEquals(got, { base64: "AQID", mimetype: "image/png", fileName: "a b.png" });
  assertEquals(lookups, ["media.invalid"]);
  assertEquals(media.hits, [`media.invalid:${media.port} /pics/a%20b.png`]);
});

Deno.test("fetchMedia re-checks every redirect target and caps the size", async () => {
  await using inner = serve("127.0.0.2", () => new Response("secret"));
  await using outer = serve("127.0.0.1", (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/to-private") return Response.redirect(`${inner.url}/secret`, 302);
    if (path === "/to-self") return new Response(null, { status: 301, headers: { location: "/file" } });
    if (path === "/big") {
      // Unsized (chunked): the cap is counted while reading.
      return new Response(
        new ReadableStream({
          start(c) {
            for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(600));
            c.close();
          },
        }),
      );
    }
    if (path === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
    if (path === "/missing") return new Response("no", { status: 404 });
    return new Response("file");
  });
  await refused(fetchMedia(`${outer.url}/to-private`, "media", onlyFirstLoopback), "media_url_private");
  assertEquals(inner.hits, [], "the private redirect target was never contacted");
  assertEquals((await fetchMedia(`${outer.url}/to-self`, "media", onlyFirstLoopback)).base64, btoa("file"));
  await refused(
    fetchMedia(`${outer.url}/big`, "media", { ...onlyFirstLoopback, maxBytes: 1000 }),
    "media_too_large",
  );
  await refused(
    fetchMedia(`${outer.url}/file`, "media", { ...onlyFirstLoopback, maxBytes: 3 }),
    "media_too_large",
  );
  await refused(fetchMedia(`${outer.url}/loop`, "media", onlyFirstLoopback), "media_fetch_failed");
  await refused(fetchMedia(`${outer.url}/missing`, "media", onlyFirstLoopback), "media_fetch_failed");
});
