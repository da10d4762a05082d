import { testTheme } from "./quality_bars.ts";

testTheme("safari_adventure");
