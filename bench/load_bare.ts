/** The bare `Deno.serve` of `deno task bench:load`: answers "ok", the ceiling of a Deno HTTP server here. */
const port = Number(Deno.args[0] ?? 0);
Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, () => new Response("ok"));
