import { Link } from "react-router";

export function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no such page in the console. <Link to="/">Go to your integrations</Link>.
      </p>
    </>
  );
}
