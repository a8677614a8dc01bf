import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { AuthGate } from "./auth/AuthContext";
import { mountPath, readConfig } from "./config";
import "./styles.css";

const mount = mountPath();
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthGate config={readConfig()} mount={mount}>
      <App mount={mount} />
    </AuthGate>
  </StrictMode>,
);
