import { assert, assertEquals } from "./testing.ts";
import { createLogger, type LogLevel } from "./log.ts";

function capture(level: LogLevel = "info") {
  const lines: { line: string; level: LogLevel }[] = [];
  const log = createLogger(level, (line, l) => lines.push({ line, level: l }));
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l.line)) };
}

Deno.test("each line is one JSON object: time, level, message, then the fields", () => {
  const { log, parsed } = capture();
  const before = Date.now();
  log.info("request", { status: 200, uri: '/a"b\\c\n', ua: "" });
  log.warn("plain");
  const [first, second] = parsed();
  assertEquals(Object.keys(first), ["ts", "level", "msg", "status", "uri", "ua"]);
  assertEquals([first.level, first.msg, first.status, first.uri, first.ua], [
    "info",
    "request",
    200,
    '/a"b\\c\n',
    "",
  ]);
  assert(Date.parse(first.ts) >= before - 1 && Date.parse(first.ts) <= Date.now());
  assertEquals([second.level, second.msg, Object.keys(second).length], ["warn", "plain", 3]);
});

Deno.test("empty fields add nothing; a field named like a built-in key wins", () => {
  const { log, parsed } = capture();
  log.error("x", {});
  log.info("y", { msg: "override" });
  const [a, b] = parsed();
  assertEquals(Object.keys(a), ["ts", "level", "msg"]);
  assertEquals(b.msg, "override");
});

Deno.test("lines below the level are dropped and each line reports its own level", () => {
  const { log, lines } = capture("warn");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assertEquals(lines.map((l) => l.level), ["warn", "error"]);
});
