import { assertEquals } from "../core/testing.ts";
import { dailyBudget, governorVerdict, type Signals, WARMUP_MAX_DAILY } from "./governor.ts";

const quiet: Signals = { samples: 0, failed: 0, matured: 0, delivered: 0, read: 0, replied: 0, optedOut: 0 };
const of = (s: Partial<Signals>) => governorVerdict({ ...quiet, ...s });

Deno.test("the governor's score and thresholds", () => {
  assertEquals(of({}), { score: 100, reason: null, engagement: 0 });
  assertEquals(of({ samples: 50 }), { score: 100, reason: null, engagement: 0 });
  // Too few samples to judge, whatever they say.
  assertEquals(of({ samples: 19, failed: 19 }), { score: 0, reason: null, engagement: 0 });
  assertEquals(of({ samples: 50, failed: 14 }).reason, null);
  assertEquals(of({ samples: 50, failed: 14 }).score, 72);
  assertEquals(of({ samples: 50, failed: 15 }), { score: 70, reason: "governor_failures", engagement: 0 });
  assertEquals(of({ samples: 50, optedOut: 2 }), { score: 60, reason: null, engagement: 0 });
  assertEquals(of({ samples: 50, optedOut: 3 }).reason, "governor_opt_outs");
});

Deno.test("delivery receipts weigh once enough sends matured; reads and replies are engagement", () => {
  // 19 matured: not judged yet, so no delivery penalty.
  assertEquals(of({ samples: 30, matured: 19, delivered: 0 }).score, 100);
  // Half delivered: score × 0.75, still above the 0.5 threshold.
  assertEquals(of({ samples: 40, matured: 40, delivered: 20 }), { score: 75, reason: null, engagement: 0 });
  assertEquals(of({ samples: 40, matured: 40, delivered: 19 }).reason, "governor_undelivered");
  // Reads count from the matured, replies from every sent message (× 2), capped at 1.
  assertEquals(of({ samples: 40, matured: 40, delivered: 40, read: 10 }).engagement, 0.25);
  assertEquals(of({ samples: 40, matured: 40, delivered: 40, read: 10, replied: 10 }).engagement, 0.75);
  assertEquals(of({ samples: 40, matured: 40, delivered: 40, read: 40, replied: 10 }).engagement, 1);
});

Deno.test("the budget follows the warm-up curve, the score and the engagement", () => {
  const fine = { score: 100, engagement: 0 };
  assertEquals(dailyBudget(40, 0, fine), 40);
  assertEquals(dailyBudget(40, 3, fine), 109); // 40 × 1.4³ = 109.76
  assertEquals(dailyBudget(40, 60, fine), WARMUP_MAX_DAILY);
  assertEquals(dailyBudget(40, 0, { score: 50, engagement: 0 }), 20);
  assertEquals(dailyBudget(40, 0, { score: 100, engagement: 1 }), 60);
  assertEquals(dailyBudget(0, 5, fine), Infinity);
});
