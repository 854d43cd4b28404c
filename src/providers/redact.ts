/**
 * Removes secret values from text that came from (or is going to) a provider,
 * so a provider that echoes a credential cannot leak it into an error or a log.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would also blank out ordinary words; real credentials are long.
    if (secret.length >= 6) result = result.split(secret).join('[redacted]');
  }
  return result;
}
