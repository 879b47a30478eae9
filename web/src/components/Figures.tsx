import { formatCount, formatMoney } from "../format.ts";

// Numbers are right-aligned in tabular figures (CSS .num). Money keeps the API's exact string in
// data-value, so that tests compare what the server said, not what the page formatted.

export function Money({ value, testId }: { value: string | null | undefined; testId?: string }) {
  return (
    <span className="num money" data-testid={testId} data-value={value ?? ""}>
      {formatMoney(value)}
    </span>
  );
}

export function Count({ value, testId }: { value: number | null | undefined; testId?: string }) {
  return (
    <span className="num" data-testid={testId} data-value={value ?? ""}>
      {formatCount(value)}
    </span>
  );
}
