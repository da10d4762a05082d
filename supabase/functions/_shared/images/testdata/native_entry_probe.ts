/**
 * The negative control for edge_runtime_test.ts: imagescript's package entry point loads a native add-on,
 * so under --deny-ffi this import must fail. If it ever succeeds, the restricted run proves nothing.
 */
await import("imagescript/ImageScript.js");
console.log("loaded");
