import { testTheme } from "./quality_bars.ts";

testTheme("mighty_guardian");
