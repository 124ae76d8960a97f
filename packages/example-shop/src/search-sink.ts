import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { openSearchClient, openSearchSink, type SearchSink } from "@sluice/processors";

export interface MasterUserSinkOptions {
  /** The domain's endpoint: https://search-… */
  node: string;
  /** The master user's secret, `{"username": …, "password": …}` (sst.aws.OpenSearch's). */
  secretArn: string;
  secrets: SecretsManagerClient;
}

function credentialsOf(secretString: string | undefined, secretArn: string) {
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? "");
  } catch {
    // Reported below, without the secret's text.
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (typeof username !== "string" || typeof password !== "string") {
    throw new Error(
      `The secret ${secretArn} must hold the search domain's master user as {"username": "…", "password": "…"}, as sst.aws.OpenSearch writes it; put that in the secret.`,
    );
  }
  return { username, password };
}

async function connect(options: MasterUserSinkOptions): Promise<SearchSink> {
  const { SecretString } = await options.secrets.send(
    new GetSecretValueCommand({ SecretId: options.secretArn }),
  );
  const basic = credentialsOf(SecretString, options.secretArn);
  return openSearchSink({ client: openSearchClient({ node: options.node, auth: { basic } }) });
}

/**
 * An OpenSearch sink signed in as the domain's master user. The domain's fine-grained access
 * control knows that user, not the function's IAM role, so requests use basic auth rather than
 * SigV4. The secret is read on the first bulk call, not at import, and read again after a
 * failed read; the processor counts the failure as a retry.
 */
export function masterUserSink(options: MasterUserSinkOptions): SearchSink {
  let sink: Promise<SearchSink> | undefined;
  return {
    async bulk(actions, call) {
      sink ??= connect(options).catch((error: unknown) => {
        sink = undefined;
        throw error;
      });
      return (await sink).bulk(actions, call);
    },
  };
}
