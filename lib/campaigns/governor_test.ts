import { assertEquals } from "../core/testing.ts";
import { governorVerdict } from "./governor.ts";

Deno.test("the governor's score and thresholds", () => {
  assertEquals(governorVerdict({ samples: 0, failed: 0, optedOut: 0 }), { score: 100, reason: null });
  assertEquals(governorVerdict({ samples: 50, failed: 0, optedOut: 0 }), { score: 100, reason: null });
  // Too few samples to judge, whatever they say.
  assertEquals(governorVerdict({ samples: 19, failed: 19, optedOut: 0 }), { score: 0, reason: null });
  assertEquals(governorVerdict({ samples: 50, failed: 14, optedOut: 0 }), { score: 72, reason: null });
  assertEquals(governorVerdict({ samples: 50, failed: 15, optedOut: 0 }), {
    score: 70,
    reason: "governor_failures",
  });
  assertEquals(governorVerdict({ samples: 50, failed: 0, optedOut: 2 }), { score: 60, reason: null });
  assertEquals(governorVerdict({ samples: 50, failed: 0, optedOut: 3 }), {
    score: 40,
    reason: "governor_opt_outs",
  });
});
