import { testTheme } from "./quality_bars.ts";

testTheme("birthday_magic");
