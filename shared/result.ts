/**
 * One result type for everything that parses or checks input: a value, or the reason it is not one. Bad input is
 * an answer, not an exception — the edges turn the reason into a log line and a response and change nothing.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Where zod found the first problem and what it is: `path.to.field`, or `root` for the whole value. */
export function zodWhere(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, root = '(root)') {
  const issue = error.issues[0];
  return { where: issue?.path.length ? issue.path.map(String).join('.') : root, message: issue?.message ?? 'invalid' };
}

/** The first problem zod found, as `where: message`. */
export const zodIssue = (error: Parameters<typeof zodWhere>[0], root = '(root)'): string => {
  const { where, message } = zodWhere(error, root);
  return `${where}: ${message}`;
};
