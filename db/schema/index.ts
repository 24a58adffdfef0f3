export * from "./enums";
export * from "./organizations";
export * from "./users";
export * from "./chips";
export * from "./contacts";
export * from "./campaigns";
export * from "./messaging";
export * from "./imports";
