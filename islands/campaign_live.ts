// Live progress of one campaign over Server-Sent Events (GET /api/campaigns/{id}/events). The sending
// happens on the server, so closing the page loses nothing: on open the stream's first event reads the
// progress back. The browser reconnects a dropped stream itself; one it gave up on (an error answer, a
// closed connection) is reopened here with a growing delay; a final event ends it (final states are final).
import { useEffect, useRef, useState } from "preact/hooks";
import type { Progress } from "./campaign_parts.ts";

export type LiveState = "connecting" | "open" | "reconnecting" | "ended";

const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];
const STALE_EVENTS = 2;

/** The campaign's latest progress (starting from `initial`) and the stream's state. */
export function useCampaignProgress(id: number, initial: Progress) {
  const [progress, setProgress] = useState<Progress>(initial);
  const [live, setLive] = useState<LiveState>(initial.final ? "ended" : "connecting");
  const failures = useRef(0);
  // After an action, an event read just before it committed may still arrive with the old state: up to
  // STALE_EVENTS of those are dropped, so the badge and buttons do not flip back.
  const stale = useRef<{ status: string; left: number } | null>(null);

  useEffect(() => {
    // A finished campaign's counts no longer change.
    if (initial.final) return;
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const open = () => {
      source = new EventSource(`/api/campaigns/${id}/events`);
      source.addEventListener("open", () => setLive("open"));
      source.addEventListener("progress", (e) => {
        failures.current = 0;
        const p = JSON.parse((e as MessageEvent<string>).data) as Progress;
        const old = stale.current;
        if (old && p.status === old.status && old.left-- > 0) return;
        stale.current = null;
        setProgress(p);
        setLive("open");
        if (p.final) {
          ended = true;
          source?.close();
          setLive("ended");
        }
      });
      source.addEventListener("error", () => {
        if (ended) return;
        setLive("reconnecting");
        // CONNECTING: the browser retries by itself. CLOSED: it gave up; try again later.
        if (source?.readyState === EventSource.CLOSED) {
          const wait = RETRY_MS[Math.min(failures.current++, RETRY_MS.length - 1)];
          timer = setTimeout(open, wait);
        }
      });
    };
    open();
    return () => {
      ended = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [id]);

  return {
    progress,
    live,
    /** Applies a state the API answered (after an action) at once, before the next event. */
    patch: (p: Partial<Progress>) => {
      if (p.status && p.status !== progress.status) {
        stale.current = { status: progress.status, left: STALE_EVENTS };
      }
      setProgress((cur) => ({ ...cur, ...p }));
    },
  };
}
