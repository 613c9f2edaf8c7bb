/**
 * The bare servers of `deno task bench:load`: `load_bare.ts <port>` answers "ok" (the ceiling of a Deno
 * HTTP server here); `load_bare.ts <port> <upstream>` forwards every request with `fetch` and nothing
 * else (method, path, apikey and content-type headers, body), the ceiling of a fetch-based proxy here.
 */
const port = Number(Deno.args[0] ?? 0);
const upstream = Deno.args[1];

async function forward(req: Request): Promise<Response> {
  const url = req.url;
  const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  const headers: Record<string, string> = {};
  for (const name of ["apikey", "content-type"]) {
    const v = req.headers.get(name);
    if (v !== null) headers[name] = v;
  }
  const res = await fetch(upstream + path, {
    method: req.method,
    headers,
    body: req.body ? await req.arrayBuffer() : undefined,
  });
  const type = res.headers.get("content-type") ?? "application/json";
  return new Response(await res.arrayBuffer(), { status: res.status, headers: { "content-type": type } });
}

Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => {} },
  upstream ? forward : () => new Response("ok"),
);
