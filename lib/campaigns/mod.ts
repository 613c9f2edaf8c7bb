// Campaigns (issue #10): durable, paced bulk sends. Rows and their reads (store), the pacing rules
// (pacing, recipient_zone), the ban-risk governor (governor) and the dispatcher that claims and sends
// recipients from any number of processes (dispatch).
export * from "./store.ts";
export * from "./pacing.ts";
export * from "./dispatch.ts";
export * from "./input.ts";
export * from "./governor.ts";
export * from "./view.ts";
export * from "./recipient_zone.ts";
