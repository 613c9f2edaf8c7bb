// pinnedPost connects to the address it is given, not to what the URL's name resolves to ("pinned.test"
// resolves nowhere), over http and https (SNI and the certificate checked for the name), never follows a
// redirect, and turns socket errors into generic reasons.
import { assert, assertEquals } from "../core/testing.ts";
import { deliveryErrorText, pinnedPost } from "./transport.ts";

const opts = (addresses: string[] | null, extra: { ca?: string[] } = {}) => ({
  headers: { "content-type": "application/json", "x-test": "1" },
  body: '{"ñ":1}',
  addresses,
  timeoutMs: 5000,
  ...extra,
});

/** A self-signed certificate for `pinned.test`, made with openssl (null when it is not installed). */
async function selfSigned(): Promise<{ cert: string; key: string } | null> {
  const dir = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=pinned.test",
        "-addext",
        "subjectAltName=DNS:pinned.test",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/cert.pem`,
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return {
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    };
  } catch {
    return null;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("pinnedPost over http reaches the pinned address with the URL's Host; redirects are answers", async () => {
  const seen: { host: string | null; body: string; test: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    seen.push({ host: req.headers.get("host"), body: await req.text(), test: req.headers.get("x-test") });
    return new URL(req.url).pathname === "/moved"
      ? Response.redirect("http://127.0.0.1:1/elsewhere", 302)
      : new Response(null, { status: 204 });
  });
  try {
    const port = server.addr.port;
    assertEquals(await pinnedPost(new URL(`http://pinned.test:${port}/in`), opts(["127.0.0.1"])), 204);
    assertEquals(seen, [{ host: `pinned.test:${port}`, body: '{"ñ":1}', test: "1" }]);
    assertEquals(await pinnedPost(new URL(`http://pinned.test:${port}/moved`), opts(["127.0.0.1"])), 302);
    assertEquals(seen.length, 2, "the redirect was not followed");
  } finally {
    await server.shutdown();
  }
});

const tls = await selfSigned();
Deno.test({
  name: "pinnedPost over https: TLS to the pinned address, certificate checked for the URL's name",
  ignore: tls === null,
  fn: async () => {
    const { cert, key } = tls!;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, cert, key, onListen: () => {} },
      (req) =>
        new Response(null, { status: req.headers.get("host")?.startsWith("pinned.test:") ? 200 : 400 }),
    );
    try {
      const url = new URL(`https://pinned.test:${server.addr.port}/in`);
      assertEquals(await pinnedPost(url, opts(["127.0.0.1"], { ca: [cert] })), 200);
      // Without trusting the certificate the handshake fails: TLS really runs over the pinned socket.
      const err = await pinnedPost(url, opts(["127.0.0.1"])).then(() => null, (e: Error) => e);
      assertEquals(err?.message, "TLS error");
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test("pinnedPost failures are generic reasons: refused, timeout", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  const refused = await pinnedPost(new URL(`http://pinned.test:${port}/`), opts(["127.0.0.1"]))
    .then(() => null, (e: Error) => e);
  assertEquals(refused?.message, "connection refused");
  // Accepts the connection (kernel backlog) but never answers.
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const url = new URL(`http://pinned.test:${silent.addr.port}/`);
    const late = await pinnedPost(url, { ...opts(["127.0.0.1"]), timeoutMs: 200 }).then(() => null, (e) => e);
    assertEquals(late?.message, "timeout");
  } finally {
    silent.close();
  }
  assertEquals(
    deliveryErrorText(Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" })),
    "unresolvable host",
  );
  assert(deliveryErrorText(new Error("boom at 10.0.0.3:5432")) === "connection failed");
});
