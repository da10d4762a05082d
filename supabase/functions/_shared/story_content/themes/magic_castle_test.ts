import { testTheme } from "./quality_bars.ts";

testTheme("magic_castle");
