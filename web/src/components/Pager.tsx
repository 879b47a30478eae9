import { formatCount } from "../format.ts";

export function Pager({
  total,
  limit,
  offset,
  onPage,
  label,
}: {
  total: number;
  limit: number;
  offset: number;
  onPage: (offset: number) => void;
  label: string;
}) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span className="pager-status" data-testid="pager-status">
        {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
      </span>
      <button
        type="button"
        className="btn"
        disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button type="button" className="btn" disabled={last >= total} onClick={() => onPage(offset + limit)}>
        Next
      </button>
    </nav>
  );
}
