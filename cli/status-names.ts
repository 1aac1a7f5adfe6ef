/** Short tunnel names for people: the GCP tunnel name, or the AWS connection and outside IP (both are `<tunnel>` forms). */
export function shortId(id: string): string {
  const parts = id.split(':');
  if (parts[0] === 'gcp' && parts.length === 4) return parts[3]!;
  if (parts[0] === 'aws' && parts.length === 4) return `${parts[2]}:${parts[3]}`;
  return id;
}

/** Shorter still, for the PEER column: the GCP tunnel name, or the AWS outside IP (also a `<tunnel>` form). */
export function peerName(id: string): string {
  const parts = id.split(':');
  return parts.length === 4 && (parts[0] === 'gcp' || parts[0] === 'aws') ? parts[3]! : id;
}
