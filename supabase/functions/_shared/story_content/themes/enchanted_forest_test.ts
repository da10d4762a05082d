import { testTheme } from "./quality_bars.ts";

testTheme("enchanted_forest");
