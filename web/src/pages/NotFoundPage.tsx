import { PageHeader } from "../components/Page.tsx";
import { Empty } from "../components/States.tsx";
import { Link, useLocation } from "../router.tsx";

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <Empty title={`There is no page at ${pathname}.`}>
        <p>
          <Link to="/">Go to the dashboard</Link>
        </p>
      </Empty>
    </>
  );
}
