import { testTheme } from "./quality_bars.ts";

testTheme("dream_weaver");
