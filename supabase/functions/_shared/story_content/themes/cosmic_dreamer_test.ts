import { testTheme } from "./quality_bars.ts";

testTheme("cosmic_dreamer");
