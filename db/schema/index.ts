export * from "./supporters";
export * from "./gifts";
export * from "./recurring-gifts";
export * from "./payments";
export * from "./reversals";
export * from "./stripe-events";
export * from "./emails";
export * from "./widget";
