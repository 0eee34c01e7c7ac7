export * from "./supporters";
export * from "./gifts";
export * from "./payments";
export * from "./stripe-events";
