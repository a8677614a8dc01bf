// The screens and their addresses (under the console's mount, e.g. /console/customers/{id}). An address a person
// types is only a request: the API decides what they may see, and its refusal is shown as it is.

import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { TypesProvider } from "./api/TypesContext";
import { useAuth } from "./auth/AuthContext";
import { Attention } from "./screens/Attention";
import { Billing } from "./screens/Billing";
import { CustomerIntegrations } from "./screens/CustomerIntegrations";
import { Customers } from "./screens/Customers";
import { IntegrationView } from "./screens/IntegrationView";
import { Layout } from "./screens/Layout";
import { MyIntegrations } from "./screens/MyIntegrations";
import { NotFound } from "./screens/NotFound";
import { Settings } from "./screens/Settings";

export function Screens() {
  const { session } = useAuth();
  const admin = session.role === "admin";
  return (
    <Layout>
      <TypesProvider>
        <Routes>
          <Route path="/" element={admin ? <Navigate to="/customers" replace /> : <MyIntegrations />} />
          <Route path="/callback" element={<Navigate to="/" replace />} />
          <Route path="/customers" element={<Customers />} />
          <Route path="/customers/:customerId" element={<CustomerIntegrations />} />
          <Route path="/customers/:customerId/integrations/:integrationId" element={<IntegrationView />} />
          <Route path="/tenant/integrations/:integrationId" element={<IntegrationView />} />
          <Route path="/attention" element={<Attention />} />
          <Route path="/billing" element={<Billing />} />
          <Route path="/settings" element={<Settings />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </TypesProvider>
    </Layout>
  );
}

export function App({ mount }: { mount: string }) {
  return (
    <BrowserRouter basename={mount.replace(/\/$/, "")}>
      <Screens />
    </BrowserRouter>
  );
}
