/**
 * Live progress while a campaign runs: the SSE stream of GET /api/campaigns/{id}/events, read while the
 * in-process dispatcher loop sends through a slowed sandbox engine, carries counts that only grow and ends
 * with one final event once the campaign is complete.
 */
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startCampaignDispatcher } from "../workers/campaign_dispatch.ts";
import { startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, numbers } from "./_helpers/campaigns.ts";

const INST = "sse-inst";
const TOTAL = 8;

interface Progress {
  status: string;
  done: number;
  percent: number;
  final: boolean;
  counts: Record<string, number>;
}

/** Reads `progress` events off an SSE body until the final one (or the stream ends). */
async function* progressEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<Progress> {
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").find((l) => l.startsWith("data: "));
      if (block.includes("event: progress") && data) yield JSON.parse(data.slice(6));
    }
  }
}

Deno.test("the event stream of a running campaign counts up and ends with a final event", async () => {
  await using gw = await startWithInstance(INST);
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(TOTAL),
    draft: true,
  });
  const id = r.body.campaign.id;
  await gw.control.latency(400);
  const dispatcher = startCampaignDispatcher(gw.deps, { intervalMs: 50 });
  const events: Progress[] = [];
  try {
    const res = await fetch(`${gw.url}/api/campaigns/${id}/events`, { headers: { apikey: gw.owner.token } });
    assertEquals([res.status, res.headers.get("content-type")], [200, "text/event-stream"]);
    for await (const p of progressEvents(res.body!)) {
      events.push(p);
      // The draft starts once the stream is open, so the first event is before any send.
      if (events.length === 1) {
        const start = await fetch(`${gw.url}/api/campaigns/${id}/start`, {
          method: "POST",
          headers: { apikey: gw.owner.token },
        });
        assertEquals(start.status, 200);
      }
    }
  } finally {
    await dispatcher.stop();
  }
  const done = events.map((e) => e.done);
  assertEquals([events[0].status, events[0].done], ["draft", 0]);
  assert(done.every((d, i) => i === 0 || d >= done[i - 1]), `counts never go down: ${done}`);
  assert(new Set(done.filter((d) => d > 0 && d < TOTAL)).size >= 1, `seen mid-way: ${done}`);
  const last = events.at(-1)!;
  assertEquals([last.status, last.final, last.done, last.percent, last.counts.sent], [
    "completed",
    true,
    TOTAL,
    100,
    TOTAL,
  ]);
  assertEquals(events.filter((e) => e.final).length, 1);
});
