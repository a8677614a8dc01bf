// The JSON-Schema forms (rjsf and its validator, most of the page's code) load when a form is first opened, so
// the lists and health views a person starts on load quickly.

import { lazy } from "react";

export const ConfigureBox = lazy(() => import("./ConfigureBox").then((m) => ({ default: m.ConfigureBox })));
export const ActionsPanel = lazy(() => import("../integration/ActionsPanel").then((m) => ({ default: m.ActionsPanel })));
