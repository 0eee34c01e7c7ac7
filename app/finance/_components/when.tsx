/** A moment as staff read it everywhere in these pages: UTC, to the minute, machine-readable too. */
export function When({ at }: { at: Date | null }) {
  if (!at) return <>never</>;

  return <time dateTime={at.toISOString()}>{at.toISOString().replace("T", " ").slice(0, 16)} UTC</time>;
}
