// The sandbox README lists exactly the routes of the table and names no file outside the repository.
import { assert, assertEquals } from "../core/testing.ts";
import { routeListMarkdown, ROUTES_BEGIN, ROUTES_END } from "./route_list.ts";

const readme = () => Deno.readTextFile(new URL("./README.md", import.meta.url));

Deno.test("the README's route list is the one generated from the route table", async () => {
  const text = await readme();
  const start = text.indexOf(ROUTES_BEGIN);
  const end = text.indexOf(ROUTES_END);
  assert(start >= 0 && end > start, "README has the generated route list");
  // On a mismatch, paste the output of routeListMarkdown() between the markers.
  assertEquals(text.slice(start, end + ROUTES_END.length), routeListMarkdown());
});

Deno.test("the README names no path outside the repository", async () => {
  const text = await readme();
  const outside = text.match(/(^|[\s`(])(\/(work|home|tmp|usr|opt|root)\/|\.\.\/)[^\s`)]*/gm) ?? [];
  assertEquals(outside, []);
});
