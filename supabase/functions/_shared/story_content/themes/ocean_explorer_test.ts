import { testTheme } from "./quality_bars.ts";

testTheme("ocean_explorer");
