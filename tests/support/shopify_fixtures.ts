/** Shopify deliveries for the tests: the platform's builders, which the demo and the dev console use too. */
export * from "../../platform/server/dev/shopify_deliveries.ts";
